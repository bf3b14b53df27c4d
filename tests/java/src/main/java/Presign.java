import com.amazonaws.HttpMethod;
import com.amazonaws.auth.EnvironmentVariableCredentialsProvider;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.GeneratePresignedUrlRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Prints presigned URLs made by the AWS SDK for Java v1 (the user guide's
 * AmazonS3.generatePresignedUrl) and v2 (S3Presigner), one per line:
 * SDK TARGET METHOD URL [HEADER: VALUE]..., tab-separated. The headers are
 * the ones the link's user must send (signed into the URL).
 *
 * Usage: java Presign HTTPS_ENDPOINT ACCESS_POINT_ARN BUCKET KEY
 * Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 */
public class Presign {
    static final String TYPE = "text/plain";

    public static void main(String[] args) {
        String endpoint = args[0], arn = args[1], bucket = args[2], key = args[3];
        // The access point ARN goes where the bucket name goes, as in the user
        // guide; the SDKs address it as {ap}-{account}.{outpost}.{endpoint host}.
        v1("ap", client1(endpoint, false), arn, key);
        v1("bucket", client1(endpoint, true), bucket, key);
        v2("ap", presigner2(endpoint, false), arn, key);
        v2("bucket", presigner2(endpoint, true), bucket, key);
    }

    static AmazonS3 client1(String endpoint, boolean pathStyle) {
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                .withPathStyleAccessEnabled(pathStyle)
                .withCredentials(new EnvironmentVariableCredentialsProvider())
                .build();
    }

    static void v1(String target, AmazonS3 s3, String bucket, String key) {
        Date expiration = new Date(System.currentTimeMillis() + Duration.ofHours(1).toMillis());
        for (HttpMethod m : List.of(HttpMethod.PUT, HttpMethod.GET, HttpMethod.DELETE)) {
            GeneratePresignedUrlRequest req = new GeneratePresignedUrlRequest(bucket, key).withMethod(m).withExpiration(expiration);
            String header = "";
            if (m == HttpMethod.PUT) {
                req.setContentType(TYPE);
                header = "\tContent-Type: " + TYPE;
            }
            System.out.println("v1\t" + target + "\t" + m + "\t" + s3.generatePresignedUrl(req) + header);
        }
    }

    static S3Presigner presigner2(String endpoint, boolean pathStyle) {
        return S3Presigner.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(endpoint))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider.create())
                .build();
    }

    static void v2(String target, S3Presigner p, String bucket, String key) {
        Duration d = Duration.ofHours(1);
        print2(target, p.presignPutObject(r -> r.signatureDuration(d).putObjectRequest(o -> o.bucket(bucket).key(key).contentType(TYPE))));
        print2(target, p.presignGetObject(r -> r.signatureDuration(d).getObjectRequest(o -> o.bucket(bucket).key(key))));
        print2(target, p.presignDeleteObject(r -> r.signatureDuration(d).deleteObjectRequest(o -> o.bucket(bucket).key(key))));
    }

    static void print2(String target, PresignedRequest r) {
        StringBuilder line = new StringBuilder("v2\t" + target + "\t" + r.httpRequest().method() + "\t" + r.url());
        for (Map.Entry<String, List<String>> h : r.signedHeaders().entrySet()) {
            if (!h.getKey().equalsIgnoreCase("host")) {
                line.append("\t").append(h.getKey()).append(": ").append(String.join(",", h.getValue()));
            }
        }
        System.out.println(line);
    }
}
