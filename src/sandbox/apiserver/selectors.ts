// Label and field selectors (k8s.io/apimachinery/pkg/labels, pkg/fields), parsed once per request.

import { badRequest } from './errors.ts';

export type LabelOp = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push(two);
      i += 2;
      continue;
    }
    if ('=!(),<>'.includes(c)) {
      tokens.push(c);
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !' \t=!(),<>'.includes(input[j] as string)) j++;
    tokens.push(input.slice(i, j));
    i = j;
  }
  return tokens;
}

const isWord = (t: string | undefined): t is string => t !== undefined && !'=!(),<>'.includes(t) && t !== '==' && t !== '!=';

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`. Throws a 400 on bad syntax. */
export function parseLabelSelector(input: string): LabelSelector {
  const tokens = tokenize(input);
  const reqs: LabelSelector = [];
  let i = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      const key = tokens[i + 1];
      if (!isWord(key)) fail(`found '${key ?? ''}', expected: identifier`);
      reqs.push({ key: key as string, op: '!', values: [] });
      i += 2;
    } else {
      const key = tokens[i];
      if (!isWord(key)) fail(`found '${key ?? ''}', expected: !, identifier, or 'end of string'`);
      const op = tokens[i + 1];
      i += 2;
      if (op === undefined || op === ',') {
        reqs.push({ key: key as string, op: 'exists', values: [] });
        if (op === undefined) break;
        continue;
      }
      if (op === '=' || op === '==' || op === '!=') {
        const v = tokens[i];
        if (v === undefined || v === ',') {
          reqs.push({ key: key as string, op: op === '!=' ? '!=' : '=', values: [''] });
        } else if (isWord(v)) {
          reqs.push({ key: key as string, op: op === '!=' ? '!=' : '=', values: [v] });
          i++;
        } else fail(`found '${v}', expected: identifier`);
      } else if (op === '>' || op === '<') {
        const v = tokens[i];
        if (!isWord(v) || !/^-?\d+$/.test(v)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key: key as string, op: op === '>' ? 'gt' : 'lt', values: [v as string] });
        i++;
      } else if (op === 'in' || op === 'notin') {
        if (tokens[i] !== '(') fail(`found '${tokens[i] ?? ''}', expected: '('`);
        i++;
        const values: string[] = [];
        while (tokens[i] !== ')') {
          const v = tokens[i];
          if (v === undefined) fail(`found '', expected: ')'`);
          if (v === ',') {
            i++;
            continue;
          }
          if (!isWord(v)) fail(`found '${v}', expected: ',', ')' or identifier`);
          values.push(v as string);
          i++;
        }
        i++;
        reqs.push({ key: key as string, op, values });
      } else {
        fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    if (i < tokens.length) {
      if (tokens[i] !== ',') fail(`found '${tokens[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const v = has ? (labels as Record<string, string>)[r.key] : undefined;
    switch (r.op) {
      case '=':
      case 'in':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v as string)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        const n = Number(v);
        if (!has || !Number.isInteger(n)) return false;
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as requirements. */
export function fromLabelSelectorObject(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): LabelSelector {
  const reqs: LabelSelector = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, op: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op: Record<string, LabelOp> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    const mapped = op[e.operator];
    if (!mapped) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, op: mapped, values: e.values ?? [] });
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses `metadata.name=x,status.phase!=Running` (fields.ParseSelector). */
export function parseFieldSelector(input: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const part of splitUnescaped(input)) {
    if (part.trim() === '') continue;
    const m = /^([^=!]+)(==|!=|=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${part}'`);
    reqs.push({ field: (m[1] as string).trim(), op: m[2] === '!=' ? '!=' : '=', value: unescapeValue(m[3] as string) });
  }
  return reqs;
}

function splitUnescaped(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const unescapeValue = (s: string) => s.replace(/\\(.)/g, '$1');

export function matchFields(reqs: FieldRequirement[], get: (field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = get(r.field) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
