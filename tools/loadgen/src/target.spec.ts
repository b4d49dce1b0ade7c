import { LoadgenError } from './errors.js';
import { isLoopbackHost, parseTarget, targetPort } from './target.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '[::ffff:7f00:1]'])(
    '%s is loopback',
    (h) => expect(isLoopbackHost(h)).toBe(true),
  );
  it.each([
    '10.0.0.1',
    '192.168.1.1',
    '8.8.8.8',
    '0.0.0.0',
    '::',
    'example.com',
    'section-1',
    '128.0.0.1',
    'localhost.example.com',
  ])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe('parseTarget', () => {
  it('accepts loopback http(s) URLs', () => {
    expect(parseTarget('http://127.0.0.1:8080/status').href).toBe('http://127.0.0.1:8080/status');
    expect(parseTarget('https://localhost/x').protocol).toBe('https:');
    expect(parseTarget(new URL('http://[::1]:9/')).hostname).toBe('[::1]');
  });

  it('needs allowRemote for any other host', () => {
    expect(() => parseTarget('http://10.0.0.1/')).toThrow(LoadgenError);
    expect(() => parseTarget('http://10.0.0.1/')).toThrow('refusing to load 10.0.0.1: not a loopback address');
    expect(parseTarget('http://section-1:8080/', true).hostname).toBe('section-1');
  });

  it.each([
    ['not a url', "bad URL 'not a url'"],
    ['127.0.0.1:8080/status', "bad URL '127.0.0.1:8080/status': give an absolute http(s) URL"],
    ['localhost:8080', 'only http: and https: are supported, not localhost:'],
    ['ftp://127.0.0.1/', 'only http: and https: are supported, not ftp:'],
    ['http://u:p@127.0.0.1/', 'credentials in the URL are not supported'],
  ])('rejects %p', (url, message) => {
    expect(() => parseTarget(url)).toThrow(message);
  });

  it('knows the default ports', () => {
    expect(targetPort(new URL('http://127.0.0.1/'))).toBe(80);
    expect(targetPort(new URL('https://127.0.0.1/'))).toBe(443);
    expect(targetPort(new URL('http://127.0.0.1:8080/'))).toBe(8080);
  });
});
