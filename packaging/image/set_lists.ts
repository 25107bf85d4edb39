/**
 * Writes the permission sets' read and write lists of deno.json as shell
 * variables (`SET_berth_read=/app/manifest,/etc/berth,…`), for the image's
 * entrypoint, which extends them with `--read` paths as the npm launcher does.
 * Run once at image build: `deno run --allow-read=deno.json
 * --allow-write=OUT set_lists.ts OUT`.
 *
 * @module
 */

const config = JSON.parse(Deno.readTextFileSync("deno.json"));
const cwd = Deno.cwd();
const lines: string[] = [];
for (const [set, permissions] of Object.entries(config.permissions)) {
  for (const permission of ["read", "write"]) {
    const entry = (permissions as Record<string, unknown>)[permission];
    // `true` (every path) needs no list: the entrypoint adds no flag then.
    const list = Array.isArray(entry)
      ? entry.map((p: string) => (p.startsWith("./") ? `${cwd}/${p.slice(2)}` : p)).join(",")
      : entry === true
      ? "*"
      : "";
    lines.push(`SET_${set.replaceAll("-", "_")}_${permission}='${list}'`);
  }
}
Deno.writeTextFileSync(Deno.args[0], lines.join("\n") + "\n");
