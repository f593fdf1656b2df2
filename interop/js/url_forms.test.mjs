// The JavaScript Graph client sends whatever path it is given: the URL forms Microsoft's other
// clients use (OData key segments, namespace-qualified actions, other letter case, $batch items)
// reach the same partner as the canonical ones.

import assert from "node:assert/strict";

import { ResponseType } from "@microsoft/microsoft-graph-client";

import { PARTNERS, graphClient, useRapd } from "./helpers.mjs";

const ctx = useRapd();

ctx.test("key segments and qualified actions drive the lifecycle", async () => {
	const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	for (const version of ["v1.0", "beta"]) {
		const created = await client.api(PARTNERS).version(version).post({ displayName: `Keyed ${version}` });
		const keyed = `${PARTNERS}('${created.id}')`;
		assert.equal((await client.api(keyed).version(version).get()).id, created.id);
		await client.api(`${keyed}/microsoft.graph.beginOnboarding`).version(version).post(version === "beta" ? {} : undefined);
		assert.equal((await client.api(`${PARTNERS}(${created.id})`).version(version).get()).onboardingStatus, "onboarding");
		await client.api(`${PARTNERS}/${created.id}/microsoft.graph.disconnect`).version(version).post();
		const cased = `/DeviceManagement/RemoteAssistancePartners/${created.id}`;
		assert.equal((await client.api(cased).version(version).get()).onboardingStatus, "notOnboarded");
		await client.api(keyed).version(version).delete();
	}
});

ctx.test("$count answers text to a JSON Accept, and $expand=* changes nothing", async () => {
	const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	await client.api(PARTNERS).post({ displayName: "Counted" });
	const raw = await client.api(`${PARTNERS}/$count`).header("Accept", "application/json").responseType(ResponseType.RAW).get();
	assert.equal(raw.status, 200);
	assert.match(raw.headers.get("content-type") ?? "", /^text\/plain/);
	assert.match(await raw.text(), /^[0-9]+$/);
	const plain = await client.api(PARTNERS).get();
	const expanded = await client.api(PARTNERS).expand("*").get();
	assert.deepEqual(expanded.value, plain.value);
});

ctx.test("$batch items may use the same forms", async () => {
	const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
	const created = await client.api(PARTNERS).post({ displayName: "Batched" });
	const answer = await client.api("/$batch").post({
		requests: [
			{ id: "1", method: "POST", url: `${PARTNERS}('${created.id}')/microsoft.graph.beginOnboarding` },
			{ id: "2", method: "GET", url: `/devicemanagement/remoteassistancepartners/${created.id}`, dependsOn: ["1"] },
		],
	});
	const byId = Object.fromEntries(answer.responses.map((r) => [r.id, r]));
	assert.equal(byId["1"].status, 204);
	assert.equal(byId["2"].body.onboardingStatus, "onboarding");
});
