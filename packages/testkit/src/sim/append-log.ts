/** An append-only record a simulated cloud keeps (its requests, its charges), oldest first. */
export class AppendOnlyLog<E> {
  protected readonly list: E[] = [];

  protected append(entry: E): void {
    this.list.push(entry);
  }

  /** All entries, oldest first. */
  entries(): readonly E[] {
    return this.list;
  }
}
