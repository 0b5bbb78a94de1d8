import path from 'node:path';

/**
 * A finding's file as annotations and code scanning locate it: relative to the working directory
 * (the repository's root in CI), with forward slashes whatever the platform. A name that is no path
 * (`<stdin>`) comes back as it is.
 */
export function reportPath(file: string, cwd: string): string {
  return path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
}
