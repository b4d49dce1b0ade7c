import { FRAME_ID_PATTERN, frameId } from './ids.js';

describe('frameId', () => {
  it('joins camera id and sequence number', () => {
    expect(frameId('camera-1', 42)).toBe('camera-1:42');
    expect(FRAME_ID_PATTERN.test(frameId('camera-1', 42))).toBe(true);
  });

  it('rejects ids that could not be parsed back', () => {
    expect(() => frameId('a:b', 1)).toThrow(RangeError);
    expect(() => frameId('cam', -1)).toThrow(RangeError);
    expect(() => frameId('cam', 1.5)).toThrow(RangeError);
  });
});
