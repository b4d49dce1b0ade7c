import { formatDuration, parseDuration, parseRate } from './units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 20ms ', 20],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['10', '10x', '-1s', 's', '', '1e3ms', '10 s'])('rejects %p with a hint', (text) => {
    expect(() => parseDuration(text, '--duration')).toThrow(
      `bad --duration '${text}': use a number with a unit, e.g. 500ms, 10s or 2m`,
    );
  });
});

describe('parseRate', () => {
  it.each([
    ['50', 50],
    ['50/s', 50],
    ['0.5', 0.5],
    ['600/m', 10],
  ])('%s → %d/s', (text, rps) => expect(parseRate(text)).toBe(rps));

  it.each(['abc', '-5', '50/h', '', '5 0'])('rejects %p', (text) => {
    expect(() => parseRate(text)).toThrow(`bad rate '${text}'`);
  });
});

describe('formatDuration', () => {
  it.each([
    [20, '20ms'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [120_000, '2m'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
