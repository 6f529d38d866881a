"""Reading API responses in tests."""

import csv
import io


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def field_values(response, field="slug") -> list:
    return [record[field] for record in results(response)]


def ids(response) -> set[str]:
    return {record["id"] for record in results(response)}


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming, "CSV is streamed"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))
