// Small helpers shared by the interop tests: the rapd process, tokens, the Graph client.
//
// The client is configured as a user of @microsoft/microsoft-graph-client would configure it
// to talk to a local http server (see interop/README.md): the library's AuthenticationHandler
// only attaches tokens to https Graph hosts (and https customHosts), so the chain starts with
// a small middleware that sets the Authorization header, followed by the library's own
// RetryHandler, RedirectHandler and HTTPMessageHandler (Node 20's global fetch; no polyfill).

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import {
	Client,
	GraphError,
	HTTPMessageHandler,
	RedirectHandler,
	RedirectHandlerOptions,
	RetryHandler,
	RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HEALTHZ_TIMEOUT_MS = 20_000;

export const READ_WRITE = "DeviceManagementServiceConfig.ReadWrite.All";
export const READ_ONLY = "DeviceManagementServiceConfig.Read.All";
export const PARTNERS = "/deviceManagement/remoteAssistancePartners";
// How Graph (Intune) writes a DateTimeOffset that has no value yet.
export const NO_VALUE = "0001-01-01T00:00:00Z";

/** $RAPD_BIN (relative to the current directory), or target/release/rapd in the repo. */
export function rapdBin() {
	return process.env.RAPD_BIN ? resolve(process.env.RAPD_BIN) : join(REPO_ROOT, "target", "release", "rapd");
}

export function freePort() {
	return new Promise((ok, fail) => {
		const srv = createServer();
		srv.once("error", fail);
		srv.listen(0, "127.0.0.1", () => {
			const { port } = srv.address();
			srv.close(() => ok(port));
		});
	});
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * With $RAPD_INTEROP_DATABASE_URL set (interop/run.sh's PostgreSQL pass), a new schema in that
 * database and the URL that makes rapd use it; otherwise null, and rapd uses SQLite.
 */
function freshPostgresSchema() {
	const admin = process.env.RAPD_INTEROP_DATABASE_URL;
	if (!admin) return null;
	const name = `rapd_i_${randomBytes(8).toString("hex")}`;
	execFileSync("psql", [admin, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE SCHEMA ${name}`], { stdio: "inherit" });
	const separator = admin.includes("?") ? "&" : "?";
	const drop = () => {
		try {
			execFileSync("psql", [admin, "-qc", `DROP SCHEMA IF EXISTS ${name} CASCADE`], { stdio: "ignore" });
		} catch {
			// A schema left behind is only clutter in the test database.
		}
	};
	return { url: `${admin}${separator}options=-c%20search_path%3D${name}`, drop };
}

/** Starts `rapd serve --listen 127.0.0.1:PORT --data-dir TMP [ARGS]` and waits for /healthz. */
export async function startRapd({ args = [] } = {}) {
	const bin = rapdBin();
	if (!existsSync(bin)) {
		throw new Error(`rapd binary not found at ${bin}: build it with \`cargo build --release -p rapd\` or set RAPD_BIN`);
	}
	const workdir = await mkdtemp(join(tmpdir(), "rapd-interop-js-"));
	const dataDir = join(workdir, "data");
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const output = { stdout: "", stderr: "" };
	const postgres = freshPostgresSchema();
	const env = { ...process.env };
	delete env.RAPD_INTEROP_DATABASE_URL;
	if (postgres) env.RAPD_DATABASE_URL = postgres.url;
	const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, ...args], {
		stdio: ["ignore", "pipe", "pipe"],
		env,
	});
	child.stdout.setEncoding("utf8").on("data", (s) => (output.stdout += s));
	child.stderr.setEncoding("utf8").on("data", (s) => (output.stderr += s));
	let exited = null;
	const exit = new Promise((ok) => child.once("exit", (code, signal) => ok((exited = { code, signal }))));
	child.once("error", (e) => (output.stderr += `\nspawn error: ${e.message}\n`));

	const logs = () => `----- rapd stdout -----\n${output.stdout}\n----- rapd stderr -----\n${output.stderr}`;

	const stop = async () => {
		if (exited === null) {
			child.kill("SIGTERM");
			const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
			await exit;
			clearTimeout(killer);
		}
		postgres?.drop();
		await rm(workdir, { recursive: true, force: true });
	};

	const deadline = Date.now() + HEALTHZ_TIMEOUT_MS;
	let last = "no answer";
	for (;;) {
		if (exited !== null) {
			await stop();
			throw new Error(`rapd exited (${JSON.stringify(exited)}) before /healthz answered\n${logs()}`);
		}
		try {
			const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
			await r.arrayBuffer();
			if (r.status === 200) break;
			last = `HTTP ${r.status}`;
		} catch (e) {
			last = e.cause?.code ?? e.name;
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`rapd did not answer GET /healthz with 200 within ${HEALTHZ_TIMEOUT_MS / 1000} s (last: ${last})\n${logs()}`);
		}
		await sleep(100);
	}

	/** `rapd token --data-dir DIR [--tenant G] [--scope S]... [--user G] [--app] [--ttl N]`. */
	const token = ({ tenant, scopes = [], user, app = false, ttl } = {}) => {
		const args = ["token", "--data-dir", dataDir];
		if (tenant) args.push("--tenant", tenant);
		for (const s of scopes) args.push("--scope", s);
		if (user) args.push("--user", user);
		if (app) args.push("--app");
		if (ttl !== undefined) args.push("--ttl", String(ttl));
		const out = execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
		const jwt = out.trim();
		assert.ok(!jwt.includes("\n") && jwt.split(".").length === 3, `rapd token must print one JWT alone on stdout, got ${JSON.stringify(out)}`);
		return jwt;
	};

	return { baseUrl, dataDir, token, logs, stop };
}

/**
 * Middleware that sends `Authorization: Bearer <token>` to whatever host the client talks to.
 * Takes an AuthenticationProvider (`{ getAccessToken(): Promise<string> }`), the same
 * interface the library's own AuthenticationHandler takes.
 */
export class BearerTokenHandler {
	constructor(authProvider) {
		this.authProvider = authProvider;
	}

	async execute(context) {
		const value = `Bearer ${await this.authProvider.getAccessToken()}`;
		if (typeof Request !== "undefined" && context.request instanceof Request) {
			context.request.headers.set("Authorization", value);
		} else {
			context.options ??= {};
			if (context.options.headers instanceof Headers) {
				context.options.headers.set("Authorization", value);
			} else {
				context.options.headers = { ...(context.options.headers ?? {}), Authorization: value };
			}
		}
		return await this.nextMiddleware.execute(context);
	}

	setNext(next) {
		this.nextMiddleware = next;
	}
}

/** A Graph client on rapd: `client.api(path)` for v1.0, `.version("beta")` for beta. */
export function graphClient(baseUrl, accessToken) {
	const authProvider = { getAccessToken: async () => accessToken };
	return Client.initWithMiddleware({
		baseUrl, // "http://127.0.0.1:PORT": the version is added per request
		defaultVersion: "v1.0",
		middleware: [
			new BearerTokenHandler(authProvider),
			new RetryHandler(new RetryHandlerOptions()),
			new RedirectHandler(new RedirectHandlerOptions()),
			new HTTPMessageHandler(),
		],
	});
}

/** Asserts a GraphError with this status and code, a message and innerError's request-id. */
export function assertGraphError(err, statusCode, code) {
	assert.ok(err instanceof GraphError, `expected a GraphError, got ${err?.constructor?.name}: ${err}`);
	assert.equal(err.statusCode, statusCode, `status (body: ${err.body})`);
	assert.equal(err.code, code, `error.code (body: ${err.body})`);
	assert.ok(typeof err.message === "string" && err.message.length > 0, "error.message must be non-empty");
	assert.ok(typeof err.requestId === "string" && err.requestId.length > 0, `innerError request-id must be non-empty (body: ${err.body})`);
	assert.equal(err.headers?.get("request-id"), err.requestId, "request-id header must equal innerError request-id");
	return true;
}

/** Runs one step of a scenario; a failure names the step (GraphError stacks do not). */
export async function step(name, fn) {
	try {
		return await fn();
	} catch (e) {
		if (e && typeof e === "object") e.message = `[${name}] ${e.message}`;
		throw e;
	}
}

/**
 * Starts one rapd for the enclosing test file (or describe block) and returns
 * `{ rapd, test }`: `rapd` is filled in once the server answers, and `test(name, fn)` is
 * `it()` that attaches the server's output to a failing test as a diagnostic.
 */
export function useRapd() {
	const ctx = { rapd: null };
	before(async () => {
		ctx.rapd = await startRapd();
	});
	after(async () => {
		await ctx.rapd?.stop();
	});
	ctx.test = (name, fn) =>
		it(name, async (t) => {
			try {
				await fn(t);
			} catch (e) {
				const lines = ctx.rapd ? ctx.rapd.logs().split("\n") : ["rapd was not started"];
				for (const line of lines.slice(-80)) t.diagnostic(line);
				throw e;
			}
		});
	return ctx;
}
