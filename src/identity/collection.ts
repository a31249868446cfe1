import { type KubeClient, type KubeObject, NotFoundError, type ResourceType } from '../kube/index.ts';
import { alive, idOf } from './model.ts';

// One kind of Keystone record stored as Kubernetes objects under a label selector. Keystone
// ids are uids, which the API cannot look up directly, so each replica keeps an id → name
// index, rebuilt from a list on a miss and checked against the uid on every read.

export class Collection<T extends KubeObject = KubeObject> {
  private index = new Map<string, string>();

  constructor(
    readonly kube: KubeClient,
    readonly type: ResourceType,
    readonly namespace: string | undefined,
    readonly selector: string,
  ) {}

  private ns() {
    return this.namespace ? { namespace: this.namespace } : {};
  }

  /** Live objects of this kind, optionally narrowed by more label requirements. */
  async list(extra?: string): Promise<T[]> {
    const labelSelector = extra ? `${this.selector},${extra}` : this.selector;
    const list = await this.kube.listAll<T>(this.type, { ...this.ns(), labelSelector });
    const items = list.items.filter(alive);
    if (!extra) this.index = new Map(items.map((o) => [idOf(o), o.metadata.name ?? '']));
    else for (const o of items) this.index.set(idOf(o), o.metadata.name ?? '');
    return items;
  }

  private async getNamed(name: string, id: string): Promise<T | undefined> {
    try {
      const obj = await this.kube.get<T>(this.type, name, this.ns());
      return idOf(obj) === id && alive(obj) && this.matches(obj) ? obj : undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private matches(obj: KubeObject): boolean {
    const labels = obj.metadata.labels ?? {};
    return this.selector.split(',').every((req) => {
      const [k, val] = req.split('=');
      return val === undefined ? k !== undefined && k in labels : labels[k as string] === val;
    });
  }

  /** The object with this Keystone id, or undefined. Non-hex ids never reach the API. */
  async byId(id: string): Promise<T | undefined> {
    if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
    const known = this.index.get(id);
    if (known) {
      const obj = await this.getNamed(known, id);
      if (obj) return obj;
    }
    await this.list();
    const name = this.index.get(id);
    return name ? this.getNamed(name, id) : undefined;
  }

  remember(obj: KubeObject): void {
    this.index.set(idOf(obj), obj.metadata.name ?? '');
  }

  forget(id: string): void {
    this.index.delete(id);
  }
}
