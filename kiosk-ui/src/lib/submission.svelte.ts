import { errText } from './i18n.svelte.ts';

/** The busy flag and error line of a form that posts to the agent: one submit at a time. */
export class Submission {
  busy = $state(false);
  error = $state('');

  /** Runs `send` unless a submit is under way; a refusal shows the agent's message and returns false. */
  async run(send: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = '';
    try {
      await send();
      return true;
    } catch (err) {
      this.error = errText(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
