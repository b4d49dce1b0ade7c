import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** Variables whose value is a secret: named in an error, never printed. */
export const SECRET_VARIABLE = /(TOKEN|SECRET|PASSWORD|PRIVATE|SERVICE_KEY)/i;

function shown(property: string, value: unknown): string {
  if (SECRET_VARIABLE.test(property)) return `<secret, ${String(value ?? '').length} characters, not shown>`;
  return JSON.stringify(value);
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => `${e.property}=${shown(e.property, e.value)}: ${msg}`),
  );
}

/** Validates `raw` (normally `process.env`) against an env class; unknown variables are ignored. */
export function validateEnv<T extends object>(envClass: new () => T, raw: Record<string, string | undefined>): T {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(envClass, defined, { exposeDefaultValues: true });
  const problems = describe(validateSync(env, { whitelist: false, forbidUnknownValues: true }));
  if (problems.length) throw new InvalidEnvironmentError(problems);
  return env;
}
