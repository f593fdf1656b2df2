// The identity libraries' flows, one per process: `node identity_flows.mjs FLOW`.
//
// Each flow is written as a user of the library would write it against Microsoft Entra ID, with
// only the documented settings changed: the authority, one option that skips instance discovery
// (knownAuthorities / disableInstanceDiscovery), and NODE_EXTRA_CA_CERTS from `rapd ca`, which
// Node reads once at start-up. RAPD_HTTPS is rapd's https origin.
//
// A flow gets a token, then completes the disconnect flow on Graph over https: create a
// partner, disconnect it, read it back. It prints "OK ..." on success and throws otherwise.

import assert from "node:assert/strict";

import { ClientSecretCredential, DeviceCodeCredential, UsernamePasswordCredential } from "@azure/identity";
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";

const HTTPS = process.env.RAPD_HTTPS;
const HOST = new URL(HTTPS).host; // 127.0.0.1:PORT
const CLIENT_ID = "0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80";
const SECRET = "rapd-dev-secret";
const USER = "dev@rapd.localhost";
const PASSWORD = "rapd-dev-password";
const READ_WRITE = "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All";
const DEFAULT = "https://graph.microsoft.com/.default";
const PARTNERS = "/deviceManagement/remoteAssistancePartners";

/** The Graph JS client with its standard auth provider, over https. */
async function disconnectWithGraphClient(credential, scopes) {
	const client = Client.initWithMiddleware({
		authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes }),
		baseUrl: `${HTTPS}/`,
		customHosts: new Set([new URL(HTTPS).hostname]),
	});
	const created = await client.api(PARTNERS).post({ displayName: "Contoso" });
	await client.api(`${PARTNERS}/${created.id}/disconnect`).post(undefined);
	const read = await client.api(`${PARTNERS}/${created.id}`).get();
	assert.equal(read.onboardingStatus, "notOnboarded");
	return created.id;
}

/** The same flow with a bare access token, as code using MSAL directly would do it. */
async function disconnectWithToken(token) {
	const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
	const created = await fetch(`${HTTPS}/v1.0${PARTNERS}`, {
		method: "POST",
		headers,
		body: JSON.stringify({ displayName: "Contoso" }),
	});
	assert.equal(created.status, 201, await created.clone().text());
	const { id } = await created.json();
	const done = await fetch(`${HTTPS}/v1.0${PARTNERS}/${id}/disconnect`, { method: "POST", headers });
	assert.equal(done.status, 204, await done.text());
	return id;
}

const showCode = (info) => console.error(`device code ${info.userCode} at ${info.verificationUri}`);

const flows = {
	async msal_client_credentials() {
		const app = new ConfidentialClientApplication({
			auth: {
				clientId: CLIENT_ID,
				clientSecret: SECRET,
				authority: `${HTTPS}/contoso.onmicrosoft.com`,
				knownAuthorities: [HOST],
			},
		});
		const first = await app.acquireTokenByClientCredential({ scopes: [DEFAULT] });
		const again = await app.acquireTokenByClientCredential({ scopes: [DEFAULT] });
		assert.equal(again.fromCache, true);
		return disconnectWithToken(first.accessToken);
	},

	async msal_username_password() {
		const app = new PublicClientApplication({
			auth: { clientId: CLIENT_ID, authority: `${HTTPS}/organizations`, knownAuthorities: [HOST] },
		});
		const result = await app.acquireTokenByUsernamePassword({ scopes: [READ_WRITE], username: USER, password: PASSWORD });
		const [account] = await app.getTokenCache().getAllAccounts();
		assert.equal(account.username, USER);
		const silent = await app.acquireTokenSilent({ account, scopes: [READ_WRITE] });
		assert.equal(silent.fromCache, true);
		return disconnectWithToken(result.accessToken);
	},

	async msal_device_code() {
		const app = new PublicClientApplication({
			auth: { clientId: CLIENT_ID, authority: `${HTTPS}/organizations`, knownAuthorities: [HOST] },
		});
		const result = await app.acquireTokenByDeviceCode({ scopes: [READ_WRITE], deviceCodeCallback: showCode });
		return disconnectWithToken(result.accessToken);
	},

	async identity_client_secret() {
		const credential = new ClientSecretCredential("contoso.onmicrosoft.com", CLIENT_ID, SECRET, {
			authorityHost: HTTPS,
			disableInstanceDiscovery: true,
		});
		return disconnectWithGraphClient(credential, [DEFAULT]);
	},

	async identity_device_code() {
		const credential = new DeviceCodeCredential({
			tenantId: "organizations",
			clientId: CLIENT_ID,
			authorityHost: HTTPS,
			disableInstanceDiscovery: true,
			userPromptCallback: (info) => console.error(info.message),
		});
		return disconnectWithGraphClient(credential, [READ_WRITE]);
	},

	async identity_username_password() {
		// The tenant `adfs` sets knownAuthorities for msal-node: configuration only.
		const credential = new UsernamePasswordCredential("adfs", CLIENT_ID, USER, PASSWORD, { authorityHost: HTTPS });
		return disconnectWithGraphClient(credential, [READ_WRITE]);
	},
};

const name = process.argv[2];
const partner = await flows[name]();
console.log(`OK ${name} disconnected ${partner}`);
