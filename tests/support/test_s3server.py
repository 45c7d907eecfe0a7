"""Self-test of the SeaweedFS test server: S3 basics, SigV4 and presigned expiry."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.s3server import S3Server, make_client, start_seaweedfs

pytestmark = pytest.mark.s3


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory):
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_bucket(s3_server: S3Server) -> str:
    name = f"selftest-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    return name


def test_put_and_get_object(s3_server: S3Server, s3_bucket: str) -> None:
    client = s3_server.client()
    names = {b["Name"] for b in client.list_buckets()["Buckets"]}
    assert s3_bucket in names

    body = b"award test object \x00\xff" * 100
    client.put_object(Bucket=s3_bucket, Key="dir/object.bin", Body=body,
                      ContentType="application/octet-stream")
    got = client.get_object(Bucket=s3_bucket, Key="dir/object.bin")
    assert got["Body"].read() == body
    assert got["ContentLength"] == len(body)


def test_wrong_secret_is_rejected(s3_server: S3Server) -> None:
    bad = make_client(s3_server.endpoint_url, s3_server.access_key, "not-the-secret",
                      s3_server.region, retries={"max_attempts": 1})
    with pytest.raises(ClientError) as info:
        bad.list_buckets()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def _presign(server: S3Server, bucket: str, key: str, expires: int) -> str:
    return server.client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
    )


def test_presigned_get_works(s3_server: S3Server, s3_bucket: str) -> None:
    s3_server.client().put_object(Bucket=s3_bucket, Key="presigned.txt", Body=b"hello")
    url = _presign(s3_server, s3_bucket, "presigned.txt", 60)
    assert "X-Amz-Signature=" in url
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == b"hello"


def test_presigned_with_tampered_signature_is_forbidden(s3_server: S3Server, s3_bucket: str) -> None:
    s3_server.client().put_object(Bucket=s3_bucket, Key="tamper.txt", Body=b"secret")
    url = _presign(s3_server, s3_bucket, "tamper.txt", 60)
    prefix, signature = url.rsplit("X-Amz-Signature=", 1)
    assert len(signature) == 64
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    response = httpx.get(f"{prefix}X-Amz-Signature={flipped}", timeout=10)
    assert response.status_code == 403, response.text
    assert b"secret" not in response.content


def test_expired_presigned_url_is_forbidden(s3_server: S3Server, s3_bucket: str) -> None:
    s3_server.client().put_object(Bucket=s3_bucket, Key="expiring.txt", Body=b"soon gone")
    url = _presign(s3_server, s3_bucket, "expiring.txt", 1)
    time.sleep(2)
    response = httpx.get(url, timeout=10)
    assert response.status_code == 403, response.text
    assert b"soon gone" not in response.content


def test_private_server_survives_kill_and_restart(tmp_path) -> None:
    """The helpers fault tests rely on: kill(), start() and restart() on the same dir/ports."""
    server = start_seaweedfs(tmp_path / "seaweedfs", reuse=False)
    try:
        assert server.process is not None
        endpoint = server.endpoint_url
        client = server.client(retries={"max_attempts": 1}, connect_timeout=2)
        client.create_bucket(Bucket="restart-check")
        client.put_object(Bucket="restart-check", Key="before-crash", Body=b"kept")

        server.kill()
        assert not server.running
        with pytest.raises(BotoCoreError):  # the connection is refused
            client.list_buckets()

        server.start()
        assert server.endpoint_url == endpoint
        assert client.get_object(Bucket="restart-check", Key="before-crash")["Body"].read() == b"kept"
        client.put_object(Bucket="restart-check", Key="before-restart", Body=b"also kept")

        server.restart()
        assert client.get_object(Bucket="restart-check", Key="before-restart")["Body"].read() == b"also kept"
    finally:
        server.stop()
    assert not server.running
