// @azure/msal-node, @azure/identity and the Graph JS client with its standard auth provider,
// against rapd's identity provider and Graph over https, with only the documented settings
// changed. Each flow runs in a fresh Node process (identity_flows.mjs) because Node reads
// NODE_EXTRA_CA_CERTS once at start-up, and this machine may export trust variables of its own.
// App-only flows run against a rapd with the `graph` permission profile; delegated flows
// against the default `founding-page` profile.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { freePort, rapdBin, startRapd } from "./helpers.mjs";

const FLOWS = join(dirname(fileURLToPath(import.meta.url)), "identity_flows.mjs");
const TRUST_VARIABLES = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS"];
const FLOW_TIMEOUT_MS = 120_000;

async function startTlsRapd(permissions) {
	const configDir = await mkdtemp(join(tmpdir(), "rapd-interop-idp-"));
	const tlsPort = await freePort();
	const config = join(configDir, "rapd.toml");
	await writeFile(
		config,
		`permissions = "${permissions}"\n[tls]\nlisten = "127.0.0.1:${tlsPort}"\n` +
			"[idp]\ndevice_code_auto_approve = true\ndevice_code_interval_secs = 1\n",
	);
	const rapd = await startRapd({ args: ["--config", config] });
	const printed = execFileSync(rapdBin(), ["ca", "--data-dir", rapd.dataDir], { encoding: "utf8", timeout: 30_000 });
	const trust = Object.fromEntries(
		printed
			.split("\n")
			.filter((l) => l.startsWith("export "))
			.map((l) => {
				const [name, rest] = l.slice("export ".length).split("=");
				return [name, rest.split("'")[1]];
			}),
	);
	assert.ok(trust.NODE_EXTRA_CA_CERTS, printed);
	const run = (flow, env) => {
		const clean = Object.fromEntries(
			Object.entries(process.env).filter(([k]) => !TRUST_VARIABLES.includes(k) && !k.startsWith("AZURE_")),
		);
		return spawnSync(process.execPath, [FLOWS, flow], {
			env: { ...clean, ...env, RAPD_HTTPS: `https://127.0.0.1:${tlsPort}` },
			encoding: "utf8",
			timeout: FLOW_TIMEOUT_MS,
		});
	};
	const stop = async () => {
		await rapd.stop();
		await rm(configDir, { recursive: true, force: true });
	};
	return { rapd, trust, run, stop };
}

function assertOk(done, flow) {
	assert.ok(
		done.status === 0 && done.stdout.startsWith(`OK ${flow}`),
		`${flow} failed (${done.status})\nstdout: ${done.stdout}\nstderr: ${(done.stderr ?? "").slice(-4000)}`,
	);
}

describe("delegated flows under the default profile", () => {
	let server;
	before(async () => {
		server = await startTlsRapd("founding-page");
	});
	after(async () => server?.stop());

	for (const flow of ["msal_username_password", "msal_device_code", "identity_device_code", "identity_username_password"]) {
		it(flow, () => assertOk(server.run(flow, { NODE_EXTRA_CA_CERTS: server.trust.NODE_EXTRA_CA_CERTS }), flow));
	}

	it("an app token is refused by the founding page", () => {
		const done = server.run("identity_client_secret", { NODE_EXTRA_CA_CERTS: server.trust.NODE_EXTRA_CA_CERTS });
		assert.notEqual(done.status, 0);
		assert.match(done.stderr, /403|Forbidden|ErrorForbidden|Authorization_RequestDenied/);
	});
});

describe("app flows under the graph profile", () => {
	let server;
	before(async () => {
		server = await startTlsRapd("graph");
	});
	after(async () => server?.stop());

	for (const flow of ["msal_client_credentials", "identity_client_secret"]) {
		it(flow, () => assertOk(server.run(flow, { NODE_EXTRA_CA_CERTS: server.trust.NODE_EXTRA_CA_CERTS }), flow));
	}

	it("without NODE_EXTRA_CA_CERTS the certificate is refused", () => {
		const done = server.run("msal_client_credentials", {});
		assert.notEqual(done.status, 0);
	});
});
