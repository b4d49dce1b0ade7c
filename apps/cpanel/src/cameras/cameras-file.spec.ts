import { CamerasFileError, parseCamerasFile } from './cameras-file.js';

const camera = (extra: Record<string, unknown> = {}) => ({
  id: 1,
  description: 'exit camera section 1',
  url: 'http://camera-agent-1:8080',
  section: 1,
  type: 'exit',
  ...extra,
});
const parse = (json: unknown, overrides?: Map<string, string>) =>
  parseCamerasFile(typeof json === 'string' ? json : JSON.stringify(json), 'cameras.json', overrides);

describe('the cameras file', () => {
  it('reads the seeds format, ids and sections as strings, and applies CAMERA_URLS overrides', () => {
    expect(
      parse({ cameras: [camera(), camera({ id: 2, type: 'entry', url: 'http://camera-agent-2:8080/' })] }),
    ).toEqual([
      { id: '1', description: 'exit camera section 1', url: 'http://camera-agent-1:8080', section: '1', type: 'exit' },
      { id: '2', description: 'exit camera section 1', url: 'http://camera-agent-2:8080', section: '1', type: 'entry' },
    ]);
    expect(parse({ cameras: [camera()] }, new Map([['1', 'http://127.0.0.1:28091']]))[0].url).toBe(
      'http://127.0.0.1:28091',
    );
  });

  it.each([
    ['invalid JSON', '{"cameras": [', /not valid JSON/],
    ['not an object', '[]', /must be an object/],
    ['no cameras array', { cams: [] }, /unknown field cams; cameras must be an array/],
    [
      'a camera with a wrong type',
      { cameras: [camera({ type: 'inside' })] },
      /cameras\[0\]\.type must be one of entry, exit/,
    ],
    ['a camera without url', { cameras: [camera({ url: undefined })] }, /cameras\[0\]\.url must be an http\(s\) URL/],
    ['a camera with an ftp url', { cameras: [camera({ url: 'ftp://x' })] }, /url must be an http\(s\) URL/],
    ['a duplicate id', { cameras: [camera(), camera()] }, /cameras\[1\]\.id 1 is used twice/],
    ['a negative id', { cameras: [camera({ id: -1 })] }, /cameras\[0\]\.id must be/],
    ['an unknown field', { cameras: [camera({ fps: 3 })] }, /cameras\[0\]: unknown field fps/],
    ['a bad section', { cameras: [camera({ section: 'a b' })] }, /section must be a section id/],
  ])('rejects %s, naming the problem', (_name, json, message) => {
    expect(() => parse(json)).toThrow(CamerasFileError);
    expect(() => parse(json)).toThrow(message);
  });
});
