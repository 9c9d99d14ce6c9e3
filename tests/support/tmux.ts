/**
 * A program in a real terminal: a detached tmux session of a given size, keys sent to it, and its
 * screen read back.
 *
 * @module
 */

/** Whether tmux is installed. */
export function hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** A terminal running one command. */
export class Terminal implements AsyncDisposable {
  readonly session = `ev${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

  /** Starts `command` (argv) with `env` in a `columns`×`rows` terminal. */
  async open(
    argv: string[],
    env: Record<string, string>,
    columns = 120,
    rows = 40,
    cwd = Deno.cwd(),
  ): Promise<void> {
    const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await tmux(
      "new-session",
      "-d",
      "-s",
      this.session,
      "-x",
      String(columns),
      "-y",
      String(rows),
      "-c",
      cwd,
      ...envArgs,
      quoted,
    );
  }

  /** The screen as text (no colours). */
  screen(): Promise<string> {
    return tmux("capture-pane", "-t", this.session, "-p");
  }

  /** Types text (no Enter). */
  async type(text: string): Promise<void> {
    await tmux("send-keys", "-t", this.session, "-l", text);
  }

  /** Presses Enter. */
  async enter(): Promise<void> {
    await tmux("send-keys", "-t", this.session, "Enter");
  }

  /** Closes the terminal and what runs in it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await tmux("kill-session", "-t", this.session).catch(() => {});
  }
}
