import type { SmtpStage } from '../../contract/index.ts';

/** One step of a session as it happens: begun, or ended with the server's reply (redacted). */
export interface StageEvent {
  stage: SmtpStage;
  status: 'started' | 'passed' | 'failed';
  reply?: string;
  elapsedMs: number;
}

export type StageListener = (event: StageEvent) => void;

/**
 * Turns the session recorder's phases into stage events: each stage is started once and passed
 * when the next begins (with the last reply the server gave in it). A stage the session comes back
 * to (EHLO again after STARTTLS) ends the current one without being reported twice.
 */
export class StageReporter {
  private current: SmtpStage | null = null;
  private reply: string | undefined;
  /** RSET or QUIT went out: the replies that follow are not the current stage's verdict. */
  private held = false;
  private readonly seen = new Set<SmtpStage>();
  private readonly started = performance.now();

  constructor(private readonly listener: StageListener) {}

  enter(stage: SmtpStage): void {
    if (stage === this.current && !this.held) return;
    this.pass();
    if (this.seen.has(stage)) return;
    this.seen.add(stage);
    this.current = stage;
    this.emit(stage, 'started');
  }

  /** A final reply line of the server, already redacted. */
  replied(line: string): void {
    if (this.current && !this.held) this.reply = line;
  }

  /** The client ends the exchange (RSET, QUIT): the verdict on the current stage is the reply so far. */
  hold(): void {
    this.held = true;
  }

  /** The current stage is done: the next began, or the session ended well. */
  pass(): void {
    if (this.current) this.emit(this.current, 'passed', this.reply);
    this.current = null;
    this.reply = undefined;
    this.held = false;
  }

  /** The session failed at `stage` (which a vague error may name differently from the phase). */
  fail(stage: SmtpStage, reply: string | null): void {
    const last = stage === this.current ? this.reply : undefined;
    if (!this.seen.has(stage)) this.emit(stage, 'started');
    this.seen.add(stage);
    this.current = null;
    this.reply = undefined;
    this.held = false;
    this.emit(stage, 'failed', reply ?? last);
  }

  private emit(stage: SmtpStage, status: StageEvent['status'], reply?: string): void {
    const elapsedMs = Math.round(performance.now() - this.started);
    this.listener(reply === undefined ? { stage, status, elapsedMs } : { stage, status, reply, elapsedMs });
  }
}
