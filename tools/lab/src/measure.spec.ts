import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counterValue, frameBody, machineSeconds, sampleImage } from './http.js';
import { countFrames, cpuCores, pairedGoodputShare, tailSuccessRate, workDone } from './measure.js';

describe('countFrames', () => {
  it('counts stored, lost, acknowledged-but-missing and duplicates of one camera, frame by frame', () => {
    const records = [
      { frameId: 'cam:0', cameraId: 'cam' },
      { frameId: 'cam:1', cameraId: 'cam' },
      { frameId: 'cam:1', cameraId: 'cam' },
      { frameId: 'cam:3', cameraId: 'cam' },
      { frameId: 'other:2', cameraId: 'other' },
    ];
    expect(
      countFrames({ cameraId: 'cam', sent: 4, acknowledged: new Set([0, 1, 2]), records, duplicateDeliveries: 5 }),
    ).toEqual({
      sent: 4,
      acknowledged: 3,
      stored: 3,
      lost: 1,
      ackedNotStored: 1,
      storeRows: 4,
      storeDistinct: 3,
      storeDuplicates: 1,
      duplicateDeliveries: 5,
      resent: 0,
      lostAfterResend: null,
    });
  });

  it('tail success rate counts the frames due from a moment on', () => {
    // 10/s: seq 0..19 over 2 s; from 1000 ms: seq 10..19.
    expect(tailSuccessRate(new Set([10, 11, 12, 13, 14, 15, 16, 17, 18]), 20, 10, 1000)).toBe(0.9);
    expect(tailSuccessRate(new Set(), 5, 10, 10_000)).toBeNull();
  });

  it('cores per process over the load: CPU seconds used / wall seconds, only for processes read both times', () => {
    const before = { at: 1_000, seconds: { 'image-analysis': 10, collector: 2, lab: 1 } };
    const after = { at: 21_000, seconds: { 'image-analysis': 36.2, collector: 7.5, lab: 4, alerts: 3 } };
    expect(cpuCores(before, after)).toEqual({
      windowMs: 20_000,
      cores: { 'image-analysis': 1.31, collector: 0.28, lab: 0.15 },
    });
    // with the machine read too: 40 busy seconds in 20 s = 2 cores, 1.735 of them ours, 0.1 stolen
    const m = cpuCores({ ...before, machine: { busy: 100, steal: 5 } }, { ...after, machine: { busy: 140, steal: 7 } });
    expect(m.machine).toEqual({ busy: 2, others: 0.27, steal: 0.1 });
  });

  it("reads the machine's busy and stolen seconds from /proc/stat's first line (USER_HZ 100)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'stat-'));
    const stat = join(dir, 'stat');
    // user nice system idle iowait irq softirq steal guest guest_nice
    writeFileSync(stat, 'cpu  152573 1893 21441 152588 3463 10 641 675 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n');
    expect(machineSeconds(stat)).toEqual({ busy: (152573 + 1893 + 21441 + 10 + 641) / 100, steal: 6.75 });
    expect(machineSeconds(join(dir, 'missing'))).toBeUndefined();
    rmSync(dir, { recursive: true });
    if (existsSync('/proc/stat')) expect(machineSeconds()!.busy).toBeGreaterThan(0);
  });
});

describe('counterValue', () => {
  // as prom-client writes it, with the services' default labels
  const exposition = [
    '# HELP image_analysis_frames_total Images analysed, by outcome',
    '# TYPE image_analysis_frames_total counter',
    'image_analysis_frames_total{outcome="ok",service="image-analysis",version="v1"} 269',
    'image_analysis_frames_total{outcome="shed",service="image-analysis",version="v1"} 3',
    'image_analysis_frames_total_created{outcome="ok"} 99',
    'process_cpu_seconds_total 12.5',
  ].join('\n');

  it('sums every label set, or only the samples carrying the given labels', () => {
    expect(counterValue(exposition, 'image_analysis_frames_total')).toBe(272);
    expect(counterValue(exposition, 'image_analysis_frames_total', { outcome: 'ok' })).toBe(269);
    expect(counterValue(exposition, 'image_analysis_frames_total', { outcome: 'rejected' })).toBe(0);
    expect(counterValue(exposition, 'process_cpu_seconds_total')).toBe(12.5);
    expect(counterValue(exposition, 'process_cpu_seconds_total', { service: 'x' })).toBe(0);
  });
});

describe('pairedGoodputShare', () => {
  it('compares the overload with the rate the stack sustained just before', () => {
    // the run at 14/s just before met the criterion again: 266 stored in 20 s = 13.3/s → 0.95 of 14
    expect(pairedGoodputShare(266, 20_000, { rate: 14, sustained: true, okPerSecond: 13.9 })).toBeCloseTo(0.95);
    // a slower moment: the run at 14/s did not sustain and delivered 12/s, so 12/s is the reference
    expect(pairedGoodputShare(228, 20_000, { rate: 14, sustained: false, okPerSecond: 12 })).toBeCloseTo(0.95);
    // never above the offered rate
    expect(pairedGoodputShare(280, 20_000, { rate: 14, sustained: false, okPerSecond: 15 })).toBeCloseTo(1);
    expect(pairedGoodputShare(10, 20_000, { rate: 14, sustained: false, okPerSecond: 0 })).toBeNull();
  });
});

describe('workDone', () => {
  it('is what each counter grew by, only for counters read both times', () => {
    expect(
      workDone(
        { counts: { analysed: 100, doorShed: 7, retries: 0 } },
        { counts: { analysed: 390, doorShed: 360, retries: 4, analysisShed: 2 } },
      ),
    ).toEqual({ analysed: 290, doorShed: 353, retries: 4 });
    expect(workDone({}, { counts: { analysed: 3 } })).toEqual({});
  });
});

describe('frameBody', () => {
  it('is the JSON of the frame, byte for byte, with the sample photo of its sequence number', () => {
    for (const seq of [0, 1, 5, 6, 13]) {
      const bytes = frameBody('lab-cam', seq, '2');
      const frame = JSON.parse(Buffer.from(bytes).toString('utf8'));
      expect(frame).toEqual({
        cameraId: 'lab-cam',
        section: '2',
        event: seq % 2 === 0 ? 'entry' : 'exit',
        timestamp: frame.timestamp,
        seq,
        image: sampleImage(seq),
      });
      expect(new Date(frame.timestamp).toISOString()).toBe(frame.timestamp);
      expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(frame));
    }
  });
});
