// Errors as @microsoft/microsoft-graph-client parses them into GraphError, and the 201 of create.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { ResponseType } from "@microsoft/microsoft-graph-client";

import { PARTNERS, READ_ONLY, assertGraphError, graphClient, useRapd } from "./helpers.mjs";

const ONBOARDING_URL = "https://example.com/onboarding/";

const ctx = useRapd();

ctx.test("a garbage token is 401 InvalidAuthenticationToken", async () => {
	const client = graphClient(ctx.rapd.baseUrl, "not-a-jwt");
	await assert.rejects(client.api(PARTNERS).get(), (err) => {
		assertGraphError(err, 401, "InvalidAuthenticationToken");
		assert.match(err.headers.get("www-authenticate") ?? "", /^Bearer/, "WWW-Authenticate: Bearer challenge");
		return true;
	});
});

ctx.test("an unknown id is 404 ResourceNotFound", async () => {
	const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	for (const version of ["v1.0", "beta"]) {
		await assert.rejects(client.api(`${PARTNERS}/${randomUUID()}`).version(version).get(), (err) => assertGraphError(err, 404, "ResourceNotFound"));
	}
});

ctx.test("a read-only token can list but not disconnect (403 Forbidden)", async () => {
	const writer = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	const created = await writer.api(PARTNERS).post({ displayName: "Read-only probe", onboardingUrl: ONBOARDING_URL });

	const reader = graphClient(ctx.rapd.baseUrl, ctx.rapd.token({ scopes: [READ_ONLY] }));
	const listed = await reader.api(PARTNERS).get();
	assert.ok(listed.value.some((p) => p.id === created.id), "reader sees the partner");
	await assert.rejects(reader.api(`${PARTNERS}/${created.id}/disconnect`).post(), (err) => assertGraphError(err, 403, "Forbidden"));
	assert.equal((await reader.api(`${PARTNERS}/${created.id}`).get()).onboardingStatus, "notOnboarded");
});

ctx.test("create answers 201 Created with a JSON entity", async () => {
	const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	const raw = await client.api(PARTNERS).responseType(ResponseType.RAW).post({ displayName: "Raw", onboardingUrl: ONBOARDING_URL });
	assert.equal(raw.status, 201);
	assert.match(raw.headers.get("content-type") ?? "", /^application\/json/);
	const body = await raw.json();
	assert.ok(body.id, "id");
	assert.match(body["@odata.context"] ?? "", /\$metadata#deviceManagement\/remoteAssistancePartners\/\$entity$/);
});
