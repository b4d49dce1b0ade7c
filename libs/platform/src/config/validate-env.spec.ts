import { IsString } from 'class-validator';
import { BaseEnv } from './base-env.js';
import { parseUrlMap } from './url-map.js';
import { InvalidEnvironmentError, validateEnv } from './validate-env.js';

class DemoEnv extends BaseEnv {
  @IsString()
  NAME = 'demo';
}

describe('validateEnv', () => {
  it('fills defaults and converts numbers', () => {
    const env = validateEnv(DemoEnv, { PORT: '9000', SHUTDOWN_DELAY_MS: '250' });
    expect(env).toMatchObject({
      PORT: 9000,
      HOST: '127.0.0.1',
      VERSION: 'v1',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: 250,
      NAME: 'demo',
    });
  });

  it('names every invalid variable', () => {
    let error: unknown;
    try {
      validateEnv(DemoEnv, { PORT: 'eighty', VERSION: 'beta', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    const problems = (error as InvalidEnvironmentError).problems.join('\n');
    expect(problems).toMatch(/PORT=null: PORT must be an integer number/);
    expect(problems).toMatch(/VERSION="beta": VERSION must look like v1/);
    expect(problems).toMatch(/LOG_LEVEL="loud"/);
  });

  it('treats empty variables as unset', () => {
    expect(validateEnv(DemoEnv, { VERSION: '' }).VERSION).toBe('v1');
  });
});

describe('parseUrlMap', () => {
  it('parses id=url pairs and trims trailing slashes', () => {
    expect([...parseUrlMap('1=http://a:1/, 2=http://b:2', 'X')]).toEqual([
      ['1', 'http://a:1'],
      ['2', 'http://b:2'],
    ]);
  });

  it('refuses malformed entries', () => {
    expect(() => parseUrlMap('http://a:1', 'SECTION_URLS')).toThrow(/SECTION_URLS: expected id=url/);
    expect(() => parseUrlMap('1=not a url', 'SECTION_URLS')).toThrow(/is not a URL/);
    expect(() => parseUrlMap('a b=http://a:1', 'SECTION_URLS', /^[A-Za-z0-9-]{1,32}$/)).toThrow(
      /SECTION_URLS: "a b" is not an id/,
    );
  });
});
