"""Limits for the benchmarks: bare ASGI endpoints with no database, no authentication, no parsing and no
checks, i.e. what the app's uploads could at best cost on this machine.

- `POST /upload` (deadline surge): streams a request body to the bucket (boto3, 8 MiB multipart parts; a
  body under one part is a single PUT).
- `POST /disk?size=N&part_size=P`, `PUT /disk/{id}/{n}`, `POST /disk/{id}/finish` (large media to local
  disk): the same parts the app's direct upload takes, each written at its offset into one sparse file on
  the same disk, one fsync at the end. No checksum, no size check, no ETag bookkeeping.

    uvicorn bench.bare_app:app --workers 2   (BARE_S3_ENDPOINT, BARE_S3_BUCKET, BARE_S3_KEY, BARE_S3_SECRET,
                                              BARE_DISK_DIR)
"""

import hashlib
import os
import re
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

PART = 8 * 1024 * 1024

s3 = boto3.client("s3", endpoint_url=os.environ.get("BARE_S3_ENDPOINT"), region_name="us-east-1",
                  aws_access_key_id=os.environ.get("BARE_S3_KEY"), aws_secret_access_key=os.environ.get("BARE_S3_SECRET"),
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
BUCKET = os.environ.get("BARE_S3_BUCKET", "bare")


async def upload(request):
    key = f"bare/{uuid.uuid4().hex}"
    digest, buf, parts, upload_id, size = hashlib.sha256(), bytearray(), [], None, 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
        buf += chunk
        if len(buf) >= PART:
            if upload_id is None:
                upload_id = (await run_in_threadpool(s3.create_multipart_upload, Bucket=BUCKET, Key=key))["UploadId"]
            body, buf = bytes(buf[:PART]), buf[PART:]
            etag = (await run_in_threadpool(s3.upload_part, Bucket=BUCKET, Key=key, UploadId=upload_id,
                                            PartNumber=len(parts) + 1, Body=body))["ETag"]
            parts.append({"PartNumber": len(parts) + 1, "ETag": etag})
    if upload_id is None:
        await run_in_threadpool(s3.put_object, Bucket=BUCKET, Key=key, Body=bytes(buf))
    else:
        if buf:
            etag = (await run_in_threadpool(s3.upload_part, Bucket=BUCKET, Key=key, UploadId=upload_id,
                                            PartNumber=len(parts) + 1, Body=bytes(buf)))["ETag"]
            parts.append({"PartNumber": len(parts) + 1, "ETag": etag})
        await run_in_threadpool(s3.complete_multipart_upload, Bucket=BUCKET, Key=key, UploadId=upload_id,
                                MultipartUpload={"Parts": parts})
    return JSONResponse({"key": key, "size": size, "sha256": digest.hexdigest()}, status_code=201)


DISK = Path(os.environ.get("BARE_DISK_DIR", "/tmp/bare-disk"))
DISK_BATCH = 1024 * 1024  # as the app's part route: about 1 MiB per hop to the writing thread
FILE_ID = re.compile(r"^[0-9a-f]{32}$")


def _disk_path(request) -> Path:
    file_id = request.path_params["file_id"]
    if not FILE_ID.match(file_id):
        raise ValueError(file_id)
    return DISK / file_id


async def disk_start(request):
    DISK.mkdir(parents=True, exist_ok=True)
    file_id = uuid.uuid4().hex
    with open(DISK / file_id, "wb") as f:
        f.truncate(int(request.query_params["size"]))
    return JSONResponse({"id": file_id, "part_size": int(request.query_params["part_size"])}, status_code=201)


async def disk_part(request):
    offset = (int(request.path_params["number"]) - 1) * int(request.query_params["part_size"])
    fd = os.open(_disk_path(request), os.O_WRONLY)
    try:
        batch = bytearray()
        async for chunk in request.stream():
            batch += chunk
            if len(batch) >= DISK_BATCH:
                offset += await run_in_threadpool(os.pwrite, fd, bytes(batch), offset)
                batch = bytearray()
        if batch:
            await run_in_threadpool(os.pwrite, fd, bytes(batch), offset)
    finally:
        os.close(fd)
    return JSONResponse({}, headers={"ETag": f'"{uuid.uuid4().hex}"'})


def _fsync(path: Path) -> int:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
        return os.fstat(f.fileno()).st_size


async def disk_finish(request):
    return JSONResponse({"size": await run_in_threadpool(_fsync, _disk_path(request))})


async def ready(request):
    return JSONResponse({"ok": True})


app = Starlette(routes=[
    Route("/upload", upload, methods=["POST"]), Route("/readyz", ready),
    Route("/disk", disk_start, methods=["POST"]), Route("/disk/{file_id}/{number:int}", disk_part, methods=["PUT"]),
    Route("/disk/{file_id}/finish", disk_finish, methods=["POST"]),
])
