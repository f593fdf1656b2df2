// The whole life of a remote assistance partner through @microsoft/microsoft-graph-client:
// create -> list -> get -> PATCH -> beginOnboarding -> disconnect -> DELETE -> 404,
// once on v1.0 and once on beta.

import assert from "node:assert/strict";
import { describe } from "node:test";

import { NO_VALUE, PARTNERS, assertGraphError, graphClient, step, useRapd } from "./helpers.mjs";

const DISPLAY_NAME = "Contoso Remote";
const RENAMED = "Contoso Remote Assist";
const ONBOARDING_URL = "https://example.com/onboarding/";

const sameInstant = (actual, expected) => assert.equal(new Date(actual).getTime(), new Date(expected).getTime(), `${actual} is not ${expected}`);

const ctx = useRapd();

for (const version of ["v1.0", "beta"]) {
	describe(`partner lifecycle (${version})`, () => {
		ctx.test("create, list, get, patch, beginOnboarding, disconnect, delete", async () => {
			const client = graphClient(ctx.rapd.baseUrl, ctx.rapd.token());
			const api = (path) => client.api(path).version(version);

			// Create.
			const created = await step("create", () => api(PARTNERS).post({ displayName: DISPLAY_NAME, onboardingUrl: ONBOARDING_URL }));
			assert.ok(typeof created.id === "string" && created.id.length > 0, "id");
			assert.equal(created.displayName, DISPLAY_NAME);
			assert.equal(created.onboardingUrl, ONBOARDING_URL);
			assert.equal(created.onboardingStatus, "notOnboarded");
			sameInstant(created.lastConnectionDateTime, NO_VALUE);
			if (version === "beta") {
				sameInstant(created.onboardingRequestExpiryDateTime, NO_VALUE);
			} else {
				assert.ok(!("onboardingRequestExpiryDateTime" in created), "v1.0 has no onboardingRequestExpiryDateTime");
			}
			const item = `${PARTNERS}/${created.id}`;

			// List contains it.
			const listed = await step("list", () => api(PARTNERS).get());
			assert.ok(Array.isArray(listed.value), "collection has value[]");
			assert.ok(listed.value.some((p) => p.id === created.id), "list contains the new partner");

			// Get: the bare entity.
			const fetched = await step("get", () => api(item).get());
			assert.ok(!("value" in fetched), "GET of one entity is not wrapped in value");
			assert.equal(fetched.id, created.id);
			assert.equal(fetched.displayName, DISPLAY_NAME);
			assert.equal(fetched.onboardingStatus, "notOnboarded");

			// PATCH answers with the updated entity.
			const updated = await step("patch", () => api(item).patch({ displayName: RENAMED }));
			assert.ok(updated && typeof updated === "object", "PATCH answered without an entity");
			assert.equal(updated.id, created.id);
			assert.equal(updated.displayName, RENAMED);
			assert.equal(updated.onboardingUrl, ONBOARDING_URL);
			assert.equal((await step("get after patch", () => api(item).get())).displayName, RENAMED);

			// beginOnboarding: v1.0 as the docs' snippet (.post() without a body); beta with partnerDomain.
			const begun = await step("beginOnboarding", () => (version === "beta" ? api(`${item}/beginOnboarding`).post({ partnerDomain: "contoso.example.com" }) : api(`${item}/beginOnboarding`).post()));
			assert.equal(begun, undefined, "204 No Content");
			const onboarding = await step("get after beginOnboarding", () => api(item).get());
			assert.equal(onboarding.onboardingStatus, "onboarding");
			if (version === "beta") {
				assert.ok(new Date(onboarding.onboardingRequestExpiryDateTime).getTime() > Date.now(), `expiry ${onboarding.onboardingRequestExpiryDateTime} is in the future`);
			}

			// disconnect: .post() without a body, 204.
			assert.equal(await step("disconnect", () => api(`${item}/disconnect`).post()), undefined, "204 No Content");
			assert.equal((await step("get after disconnect", () => api(item).get())).onboardingStatus, "notOnboarded");

			// DELETE, then 404.
			assert.equal(await step("delete", () => api(item).delete()), undefined, "204 No Content");
			await assert.rejects(api(item).get(), (err) => assertGraphError(err, 404, "ResourceNotFound"));
		});
	});
}
