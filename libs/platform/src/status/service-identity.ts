/** Who this process is: the seeds' status line is `<displayName> <version> : Online`. */
export class ServiceIdentity {
  constructor(
    /** Short machine name, e.g. `collector`, `section-1`. */
    readonly id: string,
    /** Name in the status line, e.g. `Collector`, `Section 1`, `CPanel`. */
    readonly displayName: string,
    readonly version: string,
  ) {}

  get statusLine(): string {
    return `${this.displayName} ${this.version} : Online`;
  }
}
