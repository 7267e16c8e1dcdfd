"""Request bodies and responses of the seed API tutorial (seeds/001_620c30df16826247.txt), verbatim.

Placeholders the tutorial leaves to the reader ({TENANT_ID}, ids from earlier steps) are filled by the test.
"""

from __future__ import annotations

from typing import Any

SEED_TENANT = "extconndev"

SOURCE_CONNECTION: dict[str, Any] = {
    "name": "Streaming Source Connection for Customer.io",
    "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
    "description": "Streaming Source Connection for customer.io",
    "connectionSpec": {"id": "96479064-7b8a-4d69-b9ed-21c5683837ea", "version": "1.0"},
    "data": {"format": "json"},
}
SOURCE_CONNECTION_RESPONSE = {
    "id": "133bb51f-f310-4b4a-b8b2-731aef1e223c",
    "etag": '"af00a717-0000-0200-0000-63ef2cbd0000"',
}

TARGET_CONNECTION: dict[str, Any] = {
    "name": "Streaming Target Connection for Customer.io",
    "description": "Streaming Target Connection for Customer.io",
    "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"},
    "data": {
        "format": "json",
        "schema": {
            "id": "https://ns.adobe.com/extconndev/schemas/945546112b746524bfd9f1264b26c2b7d8e7f5b7fadb953a",
            "version": "application/vnd.adobe.xed-full+json;version=1",
        },
    },
    "params": {"dataSetId": "63ec807d3f5ce91bd2d06c65"},
}

MAPPING_SET: dict[str, Any] = {
    "outputSchema": {
        "schemaRef": {
            "id": "https://ns.adobe.com/{TENANT_ID}/schemas/945546112b746524bfd9f1264b26c2b7d8e7f5b7fadb953a",
            "contentType": "application/vnd.adobe.xed-full+json;version=1",
        }
    },
    "mappings": [
        {
            "destinationXdmPath": "_extconndev.cio_id",
            "sourceAttribute": "data.identifiers.cio_id",
            "identity": False,
            "version": 0,
        },
        {
            "destinationXdmPath": "_extconndev.email",
            "sourceAttribute": "data.identifiers.email",
            "identity": False,
            "version": 0,
        },
        {
            "destinationXdmPath": "_extconndev.event_id0",
            "sourceAttribute": "event_id",
            "identity": False,
            "version": 0,
        },
        {
            "destinationXdmPath": "_extconndev.metricx",
            "sourceAttribute": "metric",
            "identity": False,
            "version": 0,
        },
        {
            "destinationXdmPath": "_extconndev.object_type1",
            "sourceAttribute": "object_type",
            "identity": False,
            "version": 0,
        },
        {
            "destinationXdmPath": "_extconndev.timestampx",
            "sourceAttribute": "timestamp",
            "identity": False,
            "version": 0,
        },
    ],
}
MAPPING_SET_RESPONSE_KEYS = {"id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy"}

FLOW: dict[str, Any] = {
    "name": "Streaming Dataflow for Customer.io",
    "description": "Streaming Dataflow for Customer.io",
    "flowSpec": {"id": "e77fde5a-22a8-11ed-861d-0242ac120002", "version": "1.0"},
    "sourceConnectionIds": ["133bb51f-f310-4b4a-b8b2-731aef1e223c"],
    "targetConnectionIds": ["da8b75ad-f6ee-4991-95df-291e62936e98"],
    "transformations": [
        {"name": "Mapping", "params": {"mappingId": "59c0e53a2dc84f7791ecc1b3d6e51d5e", "mappingVersion": 0}}
    ],
}

FLOW_GET_ITEM_KEYS = {
    "id",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "createdClient",
    "updatedClient",
    "sandboxId",
    "sandboxName",
    "imsOrgId",
    "name",
    "description",
    "flowSpec",
    "state",
    "version",
    "etag",
    "sourceConnectionIds",
    "targetConnectionIds",
    "inheritedAttributes",
    "options",
    "transformations",
    "runs",
    "providerRefId",
    "lastOperation",
}

# The sample Customer.io event of the UI tutorial (seeds/000_9b71fdd34883f633.txt).
SAMPLE_EVENT: dict[str, Any] = {
    "event_id": "01E4C4CT6YDC7Y5M7FE1GWWPQJ",
    "object_type": "customer",
    "metric": "subscribed",
    "timestamp": 1613063089,
    "data": {
        "customer_id": "42",
        "email_address": "test@example.com",
        "identifiers": {"id": "42", "email": "test@example.com", "cio_id": "d9c106000001"},
    },
}
