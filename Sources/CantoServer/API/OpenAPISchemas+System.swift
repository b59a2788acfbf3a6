extension OpenAPISchemas {
    /// `Wire.SystemStatus`: the admin's System page.
    static var system: [String: Any] {
        [
            "SystemStatus": object(
                [
                    "now": dateTime, "startedAt": dateTime, "uptimeSeconds": number, "cpuSeconds": number,
                    "processors": integer, "residentBytes": integer, "requests": integer, "serverErrors": integer,
                    "minutes": array(
                        object(
                            ["start": dateTime, "requests": integer, "errors": integer],
                            required: ["start", "requests", "errors"])),
                    "activeStreams": integer,
                    "disks": array(
                        object(
                            [
                                "folder": ["type": "string", "enum": ["data", "cache"]], "freeBytes": integer,
                                "totalBytes": integer,
                            ], required: ["folder", "freeBytes", "totalBytes"])),
                    "logs": array(
                        object(
                            [
                                "at": dateTime,
                                "level": ["type": "string", "enum": ["warning", "error", "critical"]],
                                "source": string, "message": string,
                                "metadata": ["type": "object", "additionalProperties": string],
                            ], required: ["at", "level", "source", "message", "metadata"])),
                    "plugins": array(
                        object(
                            [
                                "id": string, "name": string, "enabled": boolean,
                                "state": ["type": "string", "enum": ["disabled", "stopped", "running", "failed"]],
                                "failures": integer, "lastError": optionalString, "message": optionalString,
                            ], required: ["id", "name", "enabled", "state", "failures"])),
                ],
                required: [
                    "now", "startedAt", "uptimeSeconds", "cpuSeconds", "processors", "residentBytes", "requests",
                    "serverErrors", "minutes", "activeStreams", "disks", "logs", "plugins",
                ])
        ]
    }
}
