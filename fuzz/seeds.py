#!/usr/bin/env python3
"""Writes the seed corpora under corpus/<target>/, one file per seed, named by its SHA-1 as
cargo-fuzz names the inputs it finds. Run again after adding a seed; existing files stay."""
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

FILTERS = [
    "displayName eq 'Contoso'",
    "startswith(displayName,'Con') and onboardingStatus ne 'onboarding'",
    "not (displayName in ('Contoso','Adatum'))",
    "onboardingStatus eq 'onboarded' or onboardingStatus eq 'notOnboarded'",
    "lastConnectionDateTime ge 2024-01-01T00:00:00Z",
    "onboardingRequestExpiryDateTime eq null",
    "id eq '6f0c4a1e-2b3d-4c5e-8f9a-0b1c2d3e4f50'",
    "contains(onboardingUrl,'https') and endswith(displayName,'o')",
    "displayName eq null",
    "((((((((((displayName eq 'x'))))))))))",
    "displayName eq 'it''s'",
    "displayName in ()",
    "displayName eq",
    "colour eq 'x'",
    "$filter=startswith(displayName,'C')&$orderby=displayName desc&$top=5&$count=true",
    "$filter=id%20eq%20'x'&$select=id,displayName&$skip=10",
    "$top=1000&$skip=999999&$skiptoken=abc",
    "$orderby=displayName,id desc,lastConnectionDateTime&$select=id,id",
    "$expand=x&$search=y&$format=json",
    "$filter=%ZZ&$top=-1",
    "$top=99999999999999999999",
]

BODIES = [
    {"@odata.type": "#microsoft.graph.remoteAssistancePartner", "displayName": "Contoso",
     "onboardingUrl": "https://contoso.example/onboard"},
    {"displayName": None, "onboardingUrl": None},
    {"displayName": "x", "onboardingStatus": "onboarded", "id": "abc",
     "lastConnectionDateTime": "2024-01-01T00:00:00Z"},
    {"onboardingUrl": "http://127.0.0.1:8080/x"},
    {"onboardingUrl": "http://example.com/x"},
    {"onboardingStatus": "unknownFutureValue"},
    {"onboardingStatus": None},
    {"lastConnectionDateTime": "yesterday"},
    {"onboardingRequestExpiryDateTime": "2024-01-01T00:00:00+02:00"},
    {"@odata.type": "#microsoft.graph.device"},
    {"colour": "blue"},
    {"displayName": 5},
    {"partnerDomain": "contoso.example"},
    {"partnerDomain": ""},
    {"displayName": "x" * 1025},
    [],
]
RAW_BODIES = [b"", b"{", b"null", b'{"displayName":"a","displayName":"b"}', b"[" * 200 + b"]" * 200]

HEADER = '{"alg":"ES256","typ":"at+jwt","kid":"{kid}"}'
CLAIMS = ('{"aud":"https://graph.microsoft.com","iss":"{iss}","iat":1799999990,"nbf":1799999990,'
          '"exp":1800003600,"tid":"d3f0a7c2-5b1e-4c8d-9a6f-1e2b3c4d5e60","ver":"2.0",'
          '"oid":"a1c2e3f4-0b1d-4e5f-8a7b-6c5d4e3f2a10","sub":"a1c2e3f4-0b1d-4e5f-8a7b-6c5d4e3f2a10",'
          '"idtyp":"user","scp":"DeviceManagementServiceConfig.ReadWrite.All"}')
TOKENS = [
    f"{HEADER}\n{CLAIMS}\nsignature",
    f'{{"alg":"none","kid":"{{kid}}"}}\n{CLAIMS}\n',
    f'{{"alg":"HS256","kid":"{{kid}}"}}\n{CLAIMS}\nsecret',
    f'{{"alg":"ES256","kid":"{{kid}}","crit":["exp"]}}\n{CLAIMS}\nx',
    f'{{"alg":"ES256","kid":"{{kid}}","jku":"https://attacker.example/jwks"}}\n{CLAIMS}\nx',
    f'{{"alg":"RS256","kid":"../../etc/passwd"}}\n{CLAIMS}\nx',
    f'{{"alg":"ES256","kid":"{{kid}}","kid":"other"}}\n{CLAIMS}\nx',
    f"{HEADER}\n{{}}\nx",
    f"{HEADER}\nnull\nx",
    "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.",
    "a.b.c.d.e",
    "a..c",
    "eyJhbGciOiJFUzI1NiJ9.eyJ0aWQiOiJ4In0=.AAAA",
    "....",
]

def batch(requests):
    return {"requests": requests}

BATCHES = [
    batch([{"id": "1", "method": "GET", "url": "/deviceManagement/remoteAssistancePartners"}]),
    batch([{"id": "1", "method": "POST", "url": "/deviceManagement/remoteAssistancePartners",
            "headers": {"Content-Type": "application/json"}, "body": {"displayName": "x"}},
           {"id": "2", "method": "GET", "url": "/v1.0/deviceManagement/remoteAssistancePartners",
            "dependsOn": ["1"]}]),
    batch([{"id": "1", "method": "GET", "url": "x", "dependsOn": ["2"]},
           {"id": "2", "method": "GET", "url": "x", "dependsOn": ["1"]}]),
    batch([{"id": "1", "method": "GET", "url": "x"}, {"id": "1", "method": "GET", "url": "y"}]),
    batch([{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]),
    batch([{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me"}]),
    batch([{"id": "1", "method": "POST", "url": "/$batch"}]),
    batch([{"id": "1", "method": "TRACE", "url": "/x"}]),
    batch([{"id": "1", "method": "GET", "url": "/x", "headers": {"Authorization": "Bearer x"}}]),
    batch([{"id": "1", "method": "PATCH", "url": "/x", "body": {}}]),
    batch([]),
    {"requests": [], "extra": 1},
]
RAW_BATCHES = [b"", b"{}", b'{"requests":null}']

def write(target, seeds):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        data = seed if isinstance(seed, bytes) else (
            seed.encode() if isinstance(seed, str) else json.dumps(seed).encode())
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)

write("odata_query", FILTERS)
write("partner_body", BODIES + RAW_BODIES)
write("bearer_token", TOKENS)
write("batch_envelope", BATCHES + RAW_BATCHES)
