// The scoring of vision:evaluate and vision:tune: IoU, greedy matching, judging detections against an
// image's labels, age error to a band, ROC/AUC/EER.
import { ageError, auc, centredIn, eer, iou, judge, matchBoxes, rates, roc, type Rect } from '../eval/metrics.js';

test('iou', () => {
  expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
  expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
  expect(iou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
});

test('matchBoxes: highest score first, one detection per face, IoU ≥ 0.5', () => {
  const gt: [number, number, number, number][] = [
    [0, 0, 10, 10],
    [100, 100, 10, 10],
  ];
  const dets = [
    { rect: [1, 1, 10, 10] as [number, number, number, number], score: 0.6 },
    { rect: [0, 0, 10, 10] as [number, number, number, number], score: 0.9 },
    { rect: [104, 104, 10, 10] as [number, number, number, number], score: 0.8 },
  ];
  const m = matchBoxes(dets, gt);
  expect(m.detToGt).toEqual([-1, 0, -1]); // the 0.9 box takes face 0; the third overlaps face 1 by 36/164
  expect(m.gtToDet).toEqual([1, -1]);
});

test('judge: a face hit first, then a depicted face (IoU ≥ 0.3), then an ignored region; the rest are false positives', () => {
  const labels = {
    faces: [[0, 0, 10, 10]] as Rect[],
    depicted: [[50, 0, 10, 10]] as Rect[],
    ignore: [[100, 0, 50, 50]] as Rect[],
  };
  const dets = [
    { rect: [0, 0, 10, 10] as Rect, score: 0.9 }, // the face
    { rect: [1, 1, 10, 10] as Rect, score: 0.8 }, // the same face again: the face is taken, so a false positive
    { rect: [53, 0, 10, 10] as Rect, score: 0.7 }, // on the painting (IoU 0.54)
    { rect: [110, 10, 10, 10] as Rect, score: 0.6 }, // centred in the ignored region
    { rect: [300, 300, 10, 10] as Rect, score: 0.5 }, // nothing there
  ];
  const j = judge(dets, labels);
  expect(j.match.detToGt).toEqual([0, -1, -1, -1, -1]);
  expect(j.onDepiction).toEqual([false, false, true, false, false]);
  expect(j.ignored).toEqual([false, false, false, true, false]);
  expect(j.falsePositive).toEqual([false, true, false, false, true]);
  expect(centredIn([140, 40, 20, 20], labels.ignore)).toBe(true); // centre (150, 50): on the region's corner
  expect(centredIn([141, 41, 20, 20], labels.ignore)).toBe(false);
});

test('ageError is 0 inside the band, the distance outside', () => {
  expect(ageError(30, [20, 35])).toBe(0);
  expect(ageError(62, [70, 90])).toBe(8);
  expect(ageError(40, [20, 35])).toBe(5);
});

test('roc, rates, auc, eer', () => {
  const genuine = [0.9, 0.8, 0.75];
  const impostor = [0.2, 0.4, 0.7];
  expect(rates(genuine, impostor, 0.72)).toEqual({ far: 0, frr: 0 });
  expect(rates(genuine, impostor, 0.78)).toEqual({ far: 0, frr: 1 / 3 });
  expect(rates(genuine, impostor, 0.5)).toEqual({ far: 1 / 3, frr: 0 });
  const r = roc(genuine, impostor);
  expect(r).toHaveLength(101);
  expect(r[0]).toEqual({ threshold: 0, far: 1, frr: 0 });
  expect(auc(genuine, impostor)).toBe(1);
  expect(auc([0.5], [0.5])).toBe(0.5);
  const e = eer(r);
  expect(e.far).toBe(0);
  expect(e.frr).toBe(0);
});
