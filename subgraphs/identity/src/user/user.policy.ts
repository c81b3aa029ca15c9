import { InvalidInputError } from '../shared/identity.errors';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** NIST 800-63B: at least 8 characters, accept at least 64. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Lower-cases and trims an email; throws when it is not one. */
export function normalizeEmail(email: string, field = 'email'): string {
  const value = email.trim().toLowerCase();
  if (value.length > 320 || !EMAIL.test(value)) throw new InvalidInputError(field, 'Not a valid email address');
  return value;
}

/** Throws unless the password meets the length policy. */
export function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new InvalidInputError(field, `Passwords are ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
  }
}
