import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishCommand, type RedisClient } from '../db/redis.js';
import { QueueError } from './codes.js';

/** The queue's Lua scripts, one per atomic transition (lua/<name>.lua). */
export const SCRIPT_NAMES = ['hydrate', 'claim', 'extend', 'finish', 'reap', 'change', 'epoch', 'hint', 'recount', 'flow', 'announce', 'outbox'] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

interface LoadedScript {
  source: string;
  sha: string;
}

/**
 * The folder holding the .lua files. Next to this module when running the
 * TypeScript sources; the compiler does not copy .lua files, so the build
 * (dist/src/queue) walks up to the project and uses src/queue/lua.
 */
function luaDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (existsSync(path.join(here, 'lua', 'claim.lua'))) return path.join(here, 'lua');
  for (let dir = here; ; ) {
    const candidate = path.join(dir, 'src', 'queue', 'lua');
    if (existsSync(path.join(candidate, 'claim.lua'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new QueueError(`queue Lua scripts not found above ${here}`);
    dir = parent;
  }
}

/** Scripts for one Redis, and for a Redis Cluster (sharded pub/sub). */
const loaded = new Map<'publish' | 'spublish', Map<ScriptName, LoadedScript>>();

function scripts(publish: 'publish' | 'spublish'): Map<ScriptName, LoadedScript> {
  let set = loaded.get(publish);
  if (!set) {
    const dir = luaDir();
    set = new Map(
      SCRIPT_NAMES.map((name) => {
        // `--@include NAME` inlines lua/lib/NAME.lua: helpers shared by several scripts, one copy in the source.
        const body = readFileSync(path.join(dir, `${name}.lua`), 'utf8').replace(/^--@include (\w+)$/gm, (_, lib: string) =>
          readFileSync(path.join(dir, 'lib', `${lib}.lua`), 'utf8'),
        );
        // A cluster's subscribers listen on sharded channels (SSUBSCRIBE), which a plain PUBLISH never reaches.
        if (/['"]PUBLISH['"]/i.test(body)) throw new QueueError(`lua/${name}.lua calls PUBLISH by name: use PUBLISH_COMMAND, which is SPUBLISH on a Redis Cluster`);
        const source = `local PUBLISH_COMMAND = '${publish.toUpperCase()}'\n${body}`;
        return [name, { source, sha: createHash('sha1').update(source).digest('hex') }];
      }),
    );
    loaded.set(publish, set);
  }
  return set;
}

/**
 * Runs a script by EVALSHA, sending the source once with EVAL when this Redis
 * has not cached it yet (first use, restart, SCRIPT FLUSH). Both are atomic.
 */
export async function runScript(redis: RedisClient, name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
  // A cluster routes a script by its first key: without one it would run on any node.
  if (keys.length === 0) throw new QueueError(`queue script ${name} needs a key to be routed to its slot`);
  const script = scripts(publishCommand(redis)).get(name);
  if (!script) throw new QueueError(`unknown queue script ${name}`);
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
