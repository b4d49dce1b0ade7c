import { FRAME_ID_PATTERN, SEQ_MAX, frameId, isFrameId, parseFrameId } from './ids.js';

describe('frameId', () => {
  it('joins camera id and sequence number', () => {
    expect(frameId('camera-1', 42)).toBe('camera-1:42');
    expect(FRAME_ID_PATTERN.test(frameId('camera-1', 42))).toBe(true);
  });

  it('rejects ids that could not be parsed back', () => {
    expect(() => frameId('a:b', 1)).toThrow(RangeError);
    expect(() => frameId('cam', -1)).toThrow(RangeError);
    expect(() => frameId('cam', 1.5)).toThrow(RangeError);
    expect(() => frameId('cam', SEQ_MAX + 1)).toThrow(RangeError);
  });

  it('has one bound on seq: every id frameId makes parses back, and nothing beyond it does', () => {
    const max = frameId('cam', SEQ_MAX);
    expect(max).toBe('cam:9007199254740991');
    expect(parseFrameId(max)).toEqual({ cameraId: 'cam', seq: SEQ_MAX });
    expect(isFrameId('cam:9007199254740992')).toBe(false);
    expect(isFrameId('cam:99999999999999999')).toBe(false);
    expect(isFrameId('cam:0')).toBe(true);
    expect(isFrameId('cam:007')).toBe(false); // not the canonical form frameId makes
    expect(isFrameId('a:b:1')).toBe(false);
  });
});
