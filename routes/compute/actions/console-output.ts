import { z } from '@hono/zod-openapi';
import { consoleOutput } from '../../../src/console/log.ts';
import { badRequest, conflict } from '../../../src/core/faults.ts';
import { type ActionHandler, bodyOf } from './context.ts';

// os-getConsoleOutput: the last `length` lines of the guest's serial log (-1 or none: all).

const Length = z
  .object({ length: z.union([z.number().int(), z.string().regex(/^-?[0-9]+$/), z.null()]).optional() })
  .strict()
  .nullable();

export const consoleOutputActions: Record<string, ActionHandler> = {
  async 'os-getConsoleOutput'(a) {
    const raw = bodyOf(a, Length)?.length;
    const n = raw === null || raw === undefined ? -1 : Number(raw);
    if (n < -1) throw badRequest('Invalid input for field/attribute length. Value: ' + String(raw) + '. ' + String(raw) + ' is less than the minimum of -1');
    const output = await consoleOutput(a.auth.kube, a.s, n === -1 ? undefined : n);
    if (output === undefined) throw conflict(`Instance ${a.s.id} is not ready.`);
    return a.c.json({ output }, 200);
  },
};
