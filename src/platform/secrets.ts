import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CallsightError } from './errors.js';

/**
 * Where a credential comes from: an environment variable or a file (a Docker or Kubernetes secret).
 * The config file holds only this reference, so neither the config nor its logs ever carry the value.
 */
export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Reads a credential; the error names where it looked, never what it found. */
export function readSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '')
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `${what}: environment variable ${ref.env} is not set`,
      );
    return value;
  }
  try {
    // A trailing newline is how most secret files end; it is never part of the credential.
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `${what}: cannot read ${ref.file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
