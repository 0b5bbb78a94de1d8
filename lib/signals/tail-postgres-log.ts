import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Follows the server's jsonlog files from now on: each read returns the whole lines written since
 * the last one (a line still being written waits for the next read). Files that appear later
 * (the daily rollover) are read from their start. Its offsets are its own, apart from the
 * error-rate reader's, which keeps counting as before.
 */
export async function tailPostgresLog(logDir: string): Promise<{ read: () => Promise<string> }> {
  const offsets = new Map<string, number>();
  const list = async () => {
    try {
      return (await fs.readdir(logDir)).filter((f) => f.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  for (const name of await list()) offsets.set(name, (await fs.stat(path.join(logDir, name))).size);
  return {
    async read() {
      let out = '';
      for (const name of await list()) {
        const file = path.join(logDir, name);
        const size = (await fs.stat(file)).size;
        let offset = offsets.get(name) ?? 0;
        if (size < offset) offset = 0;
        if (size === offset) continue;
        const handle = await fs.open(file, 'r');
        try {
          const chunk = Buffer.alloc(size - offset);
          await handle.read(chunk, 0, chunk.length, offset);
          const end = chunk.lastIndexOf(0x0a);
          if (end < 0) continue;
          out += chunk.subarray(0, end + 1).toString('utf8');
          offsets.set(name, offset + end + 1);
        } finally {
          await handle.close();
        }
      }
      return out;
    },
  };
}
