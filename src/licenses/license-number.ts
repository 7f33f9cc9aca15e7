/**
 * What a license number may look like, for staff entering one and for the public looking one up: 1-100 letters,
 * digits, spaces and . / ( ) -, starting with a letter or digit and ending with one or ")".
 */
export const LICENSE_NUMBER_RE = /^[A-Za-z0-9][A-Za-z0-9 ./()-]{0,98}[A-Za-z0-9)]$|^[A-Za-z0-9]$/;
export const LICENSE_NUMBER_MESSAGE = 'must be 1-100 letters, digits, spaces and . / ( ) -, starting with a letter or digit and ending with a letter, digit or )';

export function isLicenseNumber(text: string): boolean {
  return LICENSE_NUMBER_RE.test(text);
}
