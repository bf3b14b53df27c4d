// Prints a presigned URL made by the AWS SDK for JavaScript v3.
// Usage: node presign.mjs ENDPOINT BUCKET KEY METHOD EXPIRES [CONTENT_TYPE]
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// CHECKSUMS=WHEN_REQUIRED sets requestChecksumCalculation, which AWS
// recommends for presigned PUTs: by default the SDK signs the CRC32 of an
// empty body into the URL, and S3 (and Outpost) then refuse the upload.
import { S3Client, GetObjectCommand, PutObjectCommand, DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const [endpoint, Bucket, Key, method, expires, contentType] = process.argv.slice(2);
const client = new S3Client({
  region: "us-east-1", endpoint, forcePathStyle: true,
  requestChecksumCalculation: process.env.CHECKSUMS || "WHEN_SUPPORTED",
});
const commands = {
  GET: () => new GetObjectCommand({ Bucket, Key }),
  PUT: () => new PutObjectCommand({ Bucket, Key, ContentType: contentType || undefined }),
  DELETE: () => new DeleteObjectCommand({ Bucket, Key }),
  HEAD: () => new HeadObjectCommand({ Bucket, Key }),
};
const opts = { expiresIn: Number(expires) };
if (method === "PUT" && contentType) opts.signableHeaders = new Set(["content-type"]);
console.log(await getSignedUrl(client, commands[method](), opts));
