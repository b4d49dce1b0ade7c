/**
 * Parses `1=http://section-1:8080,2=http://section-2:8080` into a map. Used for env variables that
 * name one URL per section or camera; `idPattern` (the contracts' SECTION_ID_PATTERN or
 * CAMERA_ID_PATTERN) is the rule every id must follow.
 */
export function parseUrlMap(value: string, variable: string, idPattern?: RegExp): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`${variable}: expected id=url, got ${JSON.stringify(part)}`);
    const id = part.slice(0, eq).trim();
    const url = part.slice(eq + 1).trim();
    if (idPattern && !idPattern.test(id))
      throw new Error(`${variable}: ${JSON.stringify(id)} is not an id (${idPattern.source})`);
    try {
      new URL(url);
    } catch {
      throw new Error(`${variable}: ${JSON.stringify(url)} is not a URL`);
    }
    map.set(id, url.replace(/\/+$/, ''));
  }
  return map;
}
