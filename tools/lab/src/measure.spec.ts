import { frameBody, sampleImage } from './http.js';
import { countFrames, cpuCores, tailSuccessRate } from './measure.js';

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
