"""The limit of the deadline surge: a bare ASGI endpoint that only streams a request body to the
bucket (boto3, 8 MiB multipart parts; a body under one part is a single PUT). No database, no
authentication, no parsing, no checks: what the app's upload could at best cost on this machine.

    uvicorn bench.bare_app:app --workers 2   (BARE_S3_ENDPOINT, BARE_S3_BUCKET, BARE_S3_KEY, BARE_S3_SECRET)
"""

import hashlib
import os
import uuid

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


async def ready(request):
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/upload", upload, methods=["POST"]), Route("/readyz", ready)])
