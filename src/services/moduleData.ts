import { upsertRetryingOnce, type Models } from '../models/index.js';
import type { ModuleDataRecord } from '../models/moduleData.js';
import { userError, type UserError } from './userErrors.js';

const MODULE = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
export const MAX_MODULE_DATA_BYTES = 64 * 1024;

/** Small JSON documents per (module, name), stored as JSON text. */
export class ModuleDataService {
  constructor(
    private readonly models: Models,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(module: string, name: string): Promise<ModuleDataRecord | null> {
    return this.models.ModuleData.findOne({ module: String(module), name: String(name) }).lean<ModuleDataRecord>();
  }

  private check(module: string, name: string): UserError[] {
    const errors: UserError[] = [];
    if (!MODULE.test(module)) errors.push(userError('INVALID_NAME', 'module: 1 to 64 of [A-Za-z0-9_.-]', ['input', 'module']));
    if (!NAME.test(name)) errors.push(userError('INVALID_NAME', 'name: 1 to 128 of [A-Za-z0-9_.-]', ['input', 'name']));
    return errors;
  }

  async set(module: string, name: string, data: unknown, actor: string): Promise<{ moduleData: ModuleDataRecord | null; userErrors: UserError[] }> {
    const errors = this.check(module, name);
    const json = JSON.stringify(data ?? null);
    if (Buffer.byteLength(json) > MAX_MODULE_DATA_BYTES) errors.push(userError('TOO_LARGE', `data is larger than ${MAX_MODULE_DATA_BYTES} bytes`, ['input', 'data']));
    if (errors.length) return { moduleData: null, userErrors: errors };
    const update = { $set: { data: json, updatedAt: this.clock(), updatedBy: actor } };
    await upsertRetryingOnce(() => this.models.ModuleData.collection.updateOne({ module, name }, update, { upsert: true }));
    return { moduleData: await this.get(module, name), userErrors: [] };
  }

  async delete(module: string, name: string): Promise<{ deleted: boolean; userErrors: UserError[] }> {
    const errors = this.check(module, name);
    if (errors.length) return { deleted: false, userErrors: errors };
    const res = await this.models.ModuleData.collection.deleteOne({ module, name });
    if (res.deletedCount === 0) return { deleted: false, userErrors: [userError('NOT_FOUND', `no document ${module}/${name}`, ['input'])] };
    return { deleted: true, userErrors: [] };
  }
}
