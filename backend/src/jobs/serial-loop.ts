import type { FastifyBaseLogger } from "fastify";

/**
 * Runs `work` one at a time: a kick while it runs schedules exactly one more run after it. Both job
 * runners drain the outbox this way (on a timer and whenever a commit wrote jobs).
 */
export class SerialLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly log: FastifyBaseLogger,
    private readonly label: string,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .catch((err) => this.log.error({ err }, `${this.label} failed`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no run is in progress (a run that ends with a kick pending starts the next itself). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  get pending(): boolean {
    return this.again;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
  }
}
