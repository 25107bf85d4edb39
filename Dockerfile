# berth's container image, for
#   docker run -i --rm -v /var/run/docker.sock:/var/run/docker.sock IMAGE
# (how the Docker MCP Toolkit and catalog run servers). berth runs as the
# non-root `deno` user under the same `berth` permission set as everywhere
# else. It runs the bundle of src/ built in the first stage, which loads no
# npm package, so it runs with --cached-only and needs no network
# (`--network none` is fine).
#
# The release workflow builds it on the official Deno image; `deno task image`
# builds it on a local stand-in (tests/testbed/deno_base.sh) where no base
# image can be pulled.
ARG DENO_IMAGE=denoland/deno:debian-2.9.6

# The build: berth's npm dependencies, then the bundle of src/ (packaging/bundle.ts).
# The bundle imports no npm package at run time, so none of this stage is shipped
# but the bundle itself.
FROM ${DENO_IMAGE} AS build
WORKDIR /app
COPY deno.json deno.lock ./
RUN ["deno", "install", "--frozen"]
COPY src/ src/
COPY packaging/bundle.ts packaging/bundle.ts
RUN ["deno", "run", "-A", "packaging/bundle.ts"]

FROM ${DENO_IMAGE}

# What `berth setup` prints for this image (its own reference).
ARG BERTH_IMAGE=ghcr.io/berth-mcp/berth:0.1.0

# The MCP registry reads this label to tie the image to server.json's name.
LABEL io.modelcontextprotocol.server.name="io.github.berth-mcp/berth"

# XDG_CONFIG_HOME=/etc: the "home" config berth looks for is /etc/berth/config.yaml,
# which the set can read (mount one there), instead of a home the sandbox hides.
ENV DENO_DIR=/deno-dir/ \
    DENO_NO_UPDATE_CHECK=1 \
    BERTH_VIA=image \
    BERTH_IMAGE=${BERTH_IMAGE} \
    XDG_CONFIG_HOME=/etc

# berth's files, owned by root: berth reads them, never changes them. deno.json holds
# the permission sets; its lock stays beside it so that deno never writes one.
WORKDIR /app
COPY deno.json deno.lock ./
COPY manifest/ manifest/
COPY --from=build /app/dist/bundle/ dist/bundle/
COPY packaging/image/ /usr/local/lib/berth/
# Workspace members the image does not hold (src/server/apps/dashboard, tests/browser)
# would make deno warn "Workspace member … not found" on every start: keep only those it has.
RUN ["deno", "eval", "const c = JSON.parse(Deno.readTextFileSync('deno.json')); const has = (m) => { try { return Deno.statSync(m).isDirectory; } catch { return false; } }; c.workspace = (c.workspace ?? []).filter(has); Deno.writeTextFileSync('deno.json', JSON.stringify(c, null, 2) + '\\n');"]
# The launcher's copy of the permission sets' lists, and a start with no network.
RUN ["deno", "run", "--allow-read=deno.json", "--allow-write=/usr/local/lib/berth/sets.sh", \
     "/usr/local/lib/berth/set_lists.ts", "/usr/local/lib/berth/sets.sh"]
RUN ["deno", "run", "--cached-only", "--no-prompt", "-P=berth", "dist/bundle/main.js", "validate"]

# Starts as root only to learn the engine socket's group, then runs berth as
# `deno` with that group and no capabilities (packaging/image/entrypoint.sh);
# `--user 1993 --group-add <socket gid>` skips even that.
ENTRYPOINT ["/bin/sh", "/usr/local/lib/berth/entrypoint.sh"]
CMD ["serve"]
