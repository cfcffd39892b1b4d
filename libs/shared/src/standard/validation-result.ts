/** Outcome of a pure check: either valid, or invalid with a reason users can read (Chinese). */
export type ValidationResult = { valid: true } | { valid: false; reason: string };

export const VALID: ValidationResult = Object.freeze({ valid: true });

export function invalid(reason: string): { valid: false; reason: string } {
  return { valid: false, reason };
}
