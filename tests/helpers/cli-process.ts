import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'expand-contract.mjs');

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr interleaved, as a person reads them. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with all output so far once `pattern` appears; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Runs the real `expand-contract` command, with only the given variables set for it. */
export function runCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TARGET_DATABASE_URL|PORT|HOST|EC_.*)$/.test(k)));
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env: { ...clean, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const streams = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const onData = (which: keyof typeof streams) => (chunk: Buffer) => {
    text += chunk.toString();
    streams[which] += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData('stdout'));
  child.stderr!.on('data', onData('stderr'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    stdout: () => streams.stdout,
    stderr: () => streams.stderr,
    exited,
    waitFor(pattern, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            cleanup();
            resolve(text);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`));
        }, timeoutMs);
        const onExit = () => {
          setTimeout(() => {
            if (pattern.test(text)) return;
            cleanup();
            reject(new Error(`process exited before ${pattern}; output:\n${text}`));
          }, 50);
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      });
    },
  };
}
