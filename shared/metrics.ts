/**
 * A tiny Prometheus text-format registry: counters, gauges read at scrape time, and latency
 * histograms. Enough for `/metrics`; no dependency.
 *
 * @module
 */

type Labels = Record<string, string>;

/** A counter of {@link Metrics}. */
export interface Counter {
  /** Adds `n` (default 1) to the series of `labels`. */
  inc(labels?: Labels, n?: number): void;
}

interface Family {
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(name: string): string[];
}

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A set of metrics rendered together. */
export class Metrics {
  readonly #families = new Map<string, Family>();
  readonly #counters = new Map<string, Counter>();

  /** A counter; `inc(labels)` adds one (or `n`). The same name gives the same counter. */
  counter(name: string, help: string): Counter {
    const known = this.#counters.get(name);
    if (known) return known;
    const values = new Map<string, number>();
    this.#families.set(name, {
      help,
      type: "counter",
      render: (n) => [...values].map(([k, v]) => `${n}${k} ${v}`),
    });
    const counter: Counter = {
      inc: (labels = {}, n = 1) => {
        const key = labelText(labels);
        values.set(key, (values.get(key) ?? 0) + n);
      },
    };
    this.#counters.set(name, counter);
    return counter;
  }

  /** A gauge whose values are read when scraped. */
  gauge(name: string, help: string, read: () => Array<[Labels, number]>): void {
    this.#families.set(name, {
      help,
      type: "gauge",
      render: (n) => read().map(([labels, v]) => `${n}${labelText(labels)} ${v}`),
    });
  }

  /** A histogram of seconds; `observe(seconds)`. */
  histogram(name: string, help: string): { observe(seconds: number): void } {
    const counts = BUCKETS.map(() => 0);
    let sum = 0;
    let count = 0;
    this.#families.set(name, {
      help,
      type: "histogram",
      render: (n) => [
        ...BUCKETS.map((b, i) => `${n}_bucket{le="${b}"} ${counts[i]}`),
        `${n}_bucket{le="+Inf"} ${count}`,
        `${n}_sum ${sum}`,
        `${n}_count ${count}`,
      ],
    });
    return {
      observe: (seconds) => {
        BUCKETS.forEach((b, i) => seconds <= b && counts[i]++);
        sum += seconds;
        count++;
      },
    };
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.#families) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.render(name));
    }
    return lines.join("\n") + "\n";
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
}
