package server

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/objects"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// S3 multipart limits.
const (
	maxPartNumber = 10000
	minPartSize   = 5 << 20
	maxPartSize   = 5 << 30
)

func newUploadID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (rc *reqCtx) createMultipartUpload() error {
	attrs, err := rc.readObjectAttrs()
	if err != nil {
		return err
	}
	alg := strings.ToUpper(rc.r.Header.Get("x-amz-checksum-algorithm"))
	if alg != "" && newChecksum(alg) == nil {
		return s3err.InvalidRequest.WithMessage("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	ctype, err := uploadChecksumType(alg, rc.r.Header.Get("x-amz-checksum-type"))
	if err != nil {
		return err
	}
	sl, err := rc.writeSealing()
	if err != nil {
		return err
	}
	u := meta.Upload{ID: newUploadID(), Bucket: rc.bucket, Key: rc.key, Initiated: rc.s.now().UTC(),
		Headers: attrs.Headers, Metadata: attrs.Metadata, Tags: attrs.Tags, ACL: attrs.ACL, StorageClass: attrs.StorageClass,
		ChecksumAlgorithm: alg, ChecksumType: ctype, Encryption: sl.encryption()}
	if !rc.principal.Anonymous() {
		u.Initiator = rc.principal.ARN
	}
	if err := rc.s.cfg.Meta.CreateUpload(rc.r.Context(), u); err != nil {
		return err
	}
	if alg != "" {
		rc.w.Header().Set("x-amz-checksum-algorithm", alg)
		rc.w.Header().Set("x-amz-checksum-type", ctype)
	}
	setEncryptionHeaders(rc.w.Header(), u.Encryption, sl.ck)
	return rc.writeXML(200, initiateMultipartUploadResult{NS: s3NS, Bucket: rc.bucket, Key: rc.key, UploadID: u.ID})
}

// uploadChecksumType is the checksum type of a new multipart upload with
// checksum algorithm alg (upper case, possibly empty) and the request's
// x-amz-checksum-type value: CRC64NVME is always FULL_OBJECT, SHA1 and
// SHA256 always COMPOSITE, CRC32 and CRC32C either (COMPOSITE by default).
func uploadChecksumType(alg, requested string) (string, error) {
	ctype := strings.ToUpper(requested)
	switch ctype {
	case "":
		switch alg {
		case "":
			return "", nil
		case "CRC64NVME":
			return "FULL_OBJECT", nil
		}
		return "COMPOSITE", nil
	case "COMPOSITE", "FULL_OBJECT":
	default:
		return "", s3err.InvalidRequest.WithMessage("Value for x-amz-checksum-type header is invalid.")
	}
	if alg == "" {
		return "", s3err.InvalidRequest.WithMessage("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	if ctype == "FULL_OBJECT" && crcSpecFor(alg) == nil || ctype == "COMPOSITE" && alg == "CRC64NVME" {
		return "", s3err.InvalidRequest.WithMessage("The " + ctype + " checksum type cannot be used with the " + strings.ToLower(alg) + " checksum algorithm.")
	}
	return ctype, nil
}

// partNumber reads and checks the partNumber query parameter.
func (rc *reqCtx) partNumber() (int, error) {
	v := rc.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, s3err.InvalidArgument.WithMessage("Part number must be an integer between 1 and 10000, inclusive").With(s3err.Field{Name: "ArgumentName", Value: "partNumber"}, s3err.Field{Name: "ArgumentValue", Value: v})
	}
	return n, nil
}

func (rc *reqCtx) upload() (meta.Upload, error) {
	u, err := rc.s.cfg.Meta.GetUpload(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("uploadId"))
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchUpload) {
			return u, s3err.NoSuchUpload.With(s3err.Field{Name: "UploadId", Value: rc.query.Get("uploadId")})
		}
		return u, err
	}
	return u, nil
}

func (rc *reqCtx) uploadPart() error {
	n, err := rc.partNumber()
	if err != nil {
		return err
	}
	u, err := rc.upload()
	if err != nil {
		return err
	}
	ck, err := rc.partKey(u)
	if err != nil {
		return err
	}
	size, err := rc.payloadLength()
	if err != nil {
		return err
	}
	if size > maxPartSize {
		return s3err.EntityTooLarge
	}
	decl := rc.checksumHeaders()
	if u.ChecksumType == "FULL_OBJECT" {
		// The full-object checksum is combined from the parts' CRCs, so a
		// part sent without a checksum gets one computed here, as S3 does.
		if a, _, _, err := requestChecksum(decl); err == nil && a == "" {
			decl = decl.Clone()
			decl.Set("x-amz-sdk-checksum-algorithm", u.ChecksumAlgorithm)
		}
	}
	in, err := rc.ingest(rc.body(), size, decl, false, uploadSealing(u, ck))
	if err != nil {
		return err
	}
	if u.ChecksumAlgorithm != "" {
		if _, ok := in.checksums[u.ChecksumAlgorithm]; !ok {
			rc.s.objects.DeleteBlobs(in.blobID)
			return s3err.InvalidRequest.WithMessage("The upload was created using a " + u.ChecksumAlgorithm + " checksum. The part must be uploaded with the same checksum algorithm.")
		}
	}
	return rc.commitPart(u, ck, n, in)
}

func (rc *reqCtx) commitPart(u meta.Upload, ck *customerKey, n int, in *ingested) error {
	p := meta.Part{Number: n, BlobID: in.blobID, Size: in.size, ETag: in.etag, Checksums: in.checksums, SealedKey: in.sealedKey}
	if err := rc.s.objects.PutPart(rc.commitCtx(), u.ID, &p); err != nil {
		if errors.Is(err, meta.ErrNoSuchUpload) {
			return s3err.NoSuchUpload.With(s3err.Field{Name: "UploadId", Value: u.ID})
		}
		return err
	}
	h := rc.w.Header()
	h.Set("ETag", quote(p.ETag))
	for alg, v := range in.checksums {
		h.Set(checksumHeader(alg), v)
	}
	setEncryptionHeaders(h, u.Encryption, ck)
	if rc.op.name == "UploadPartCopy" {
		res := copyPartResult{NS: s3NS, LastModified: iso8601(p.LastModified), ETag: quote(p.ETag)}
		setResultChecksums(in.checksums, &res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256)
		return rc.writeXML(200, res)
	}
	return rc.ok()
}

type copyPartResult struct {
	XMLName           xml.Name `xml:"CopyPartResult"`
	NS                string   `xml:"xmlns,attr"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
}

func (rc *reqCtx) uploadPartCopy() error {
	n, err := rc.partNumber()
	if err != nil {
		return err
	}
	u, err := rc.upload()
	if err != nil {
		return err
	}
	src, _, err := rc.openCopySource()
	if err != nil {
		return err
	}
	srcKey, err := rc.readKey(src, sseCopyCustomr)
	if err != nil {
		return err
	}
	ck, err := rc.partKey(u)
	if err != nil {
		return err
	}
	start, length := int64(0), src.Size
	if rg := rc.r.Header.Get("x-amz-copy-source-range"); rg != "" {
		s, l, ok, perr := parseRange(rg, src.Size)
		// Unlike a GET's Range, a copy range is not clamped: its last byte
		// must lie inside the source ("bytes=0-21" of 5 bytes is refused).
		_, last, _ := strings.Cut(rg, "-")
		if end, err := strconv.ParseInt(strings.TrimSpace(last), 10, 64); err != nil || end >= src.Size {
			ok = false
		}
		if perr != nil || !ok || strings.HasPrefix(rg, "bytes=-") || !strings.Contains(rg, "-") {
			return s3err.InvalidArgument.WithMessage("Range specified is not valid for source object of size: "+itoa64(src.Size)).With(s3err.Field{Name: "ArgumentName", Value: "x-amz-copy-source-range"}, s3err.Field{Name: "ArgumentValue", Value: rg})
		}
		start, length = s, l
	}
	if length > maxPartSize {
		return s3err.InvalidRequest.WithMessage("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	alg := u.ChecksumAlgorithm
	if alg == "" {
		alg = rc.r.Header.Get("x-amz-checksum-algorithm")
	}
	in, err := rc.copyInto(src, srcKey, start, length, alg, false, uploadSealing(u, ck))
	if err != nil {
		return err
	}
	return rc.commitPart(u, ck, n, in)
}

type completeMultipartUpload struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber        int    `xml:"PartNumber"`
		ETag              string `xml:"ETag"`
		ChecksumCRC32     string `xml:"ChecksumCRC32"`
		ChecksumCRC32C    string `xml:"ChecksumCRC32C"`
		ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME"`
		ChecksumSHA1      string `xml:"ChecksumSHA1"`
		ChecksumSHA256    string `xml:"ChecksumSHA256"`
	} `xml:"Part"`
}

type completeMultipartUploadResult struct {
	XMLName           xml.Name `xml:"CompleteMultipartUploadResult"`
	NS                string   `xml:"xmlns,attr"`
	Location          string   `xml:"Location"`
	Bucket            string   `xml:"Bucket"`
	Key               string   `xml:"Key"`
	ETag              string   `xml:"ETag"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
}

func (rc *reqCtx) completeMultipartUpload() error {
	u, err := rc.s.cfg.Meta.GetUpload(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("uploadId"))
	if err != nil && !errors.Is(err, meta.ErrNoSuchUpload) {
		return err
	}
	var req completeMultipartUpload
	if err := rc.readXML(&req); err != nil {
		return err
	}
	if len(req.Parts) == 0 {
		return s3err.MalformedXML.WithMessage("The XML you provided was not well-formed or did not validate against our published schema")
	}
	if err != nil {
		// The upload has ended: a retry of the Complete that ended it (its
		// response was lost) gets the same answer, as from S3.
		return rc.completedAlready(req, s3err.NoSuchUpload.With(s3err.Field{Name: "UploadId", Value: rc.query.Get("uploadId")}))
	}
	stored, _, err := rc.s.cfg.Meta.ListParts(rc.r.Context(), u.ID, 0, maxPartNumber)
	if err != nil {
		return err
	}
	byNum := make(map[int]meta.Part, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	md := md5.New()
	var segs []meta.Segment
	var size int64
	var partSums []string
	last := 0
	for _, rp := range req.Parts {
		if rp.PartNumber <= last {
			return s3err.InvalidPartOrder.With(s3err.Field{Name: "UploadId", Value: u.ID})
		}
		last = rp.PartNumber
	}
	ctypeGiven := strings.ToUpper(rc.r.Header.Get("x-amz-checksum-type"))
	switch ctypeGiven {
	case "", "COMPOSITE", "FULL_OBJECT":
	default:
		return s3err.InvalidRequest.WithMessage("Value for x-amz-checksum-type header is invalid.")
	}
	if ctypeGiven != "" && u.ChecksumType != "" && ctypeGiven != u.ChecksumType {
		return s3err.InvalidRequest.WithMessage("The upload was created using the " + u.ChecksumType + " checksum mode. The complete request must use the same checksum mode.")
	}
	fullObject := u.ChecksumType == "FULL_OBJECT" && u.ChecksumAlgorithm != ""
	var crcParts []crcPart
	for i, rp := range req.Parts {
		p, ok := byNum[rp.PartNumber]
		if !ok || strings.Trim(rp.ETag, "\"") != p.ETag {
			return s3err.InvalidPart.With(s3err.Field{Name: "UploadId", Value: u.ID}, s3err.Field{Name: "PartNumber", Value: itoa(rp.PartNumber)}, s3err.Field{Name: "ETag", Value: rp.ETag})
		}
		if i < len(req.Parts)-1 && p.Size < minPartSize {
			return s3err.EntityTooSmall.With(s3err.Field{Name: "ProposedSize", Value: itoa64(p.Size)}, s3err.Field{Name: "MinSizeAllowed", Value: itoa(minPartSize)}, s3err.Field{Name: "PartNumber", Value: itoa(p.Number)}, s3err.Field{Name: "ETag", Value: quote(p.ETag)})
		}
		if alg := u.ChecksumAlgorithm; alg != "" {
			given := map[string]string{"CRC32": rp.ChecksumCRC32, "CRC32C": rp.ChecksumCRC32C, "CRC64NVME": rp.ChecksumCRC64NVME, "SHA1": rp.ChecksumSHA1, "SHA256": rp.ChecksumSHA256}[alg]
			if given != "" && given != p.Checksums[alg] {
				return s3err.InvalidPart.WithMessage("The " + alg + " checksum of part " + itoa(p.Number) + " does not match the uploaded part.")
			}
			partSums = append(partSums, p.Checksums[alg])
			if fullObject {
				if p.Checksums[alg] == "" {
					return s3err.InvalidPart.WithMessage("Part "+itoa(p.Number)+" has no "+alg+" checksum, which a FULL_OBJECT upload needs.").With(s3err.Field{Name: "UploadId", Value: u.ID}, s3err.Field{Name: "PartNumber", Value: itoa(p.Number)})
				}
				crcParts = append(crcParts, crcPart{sum: p.Checksums[alg], size: p.Size})
			}
		}
		raw, _ := hex.DecodeString(p.ETag)
		md.Write(raw)
		segs = append(segs, meta.Segment{BlobID: p.BlobID, Size: p.Size, PartNumber: p.Number, ETag: p.ETag, Checksums: p.Checksums, SealedKey: p.SealedKey})
		size += p.Size
	}
	if size > 5<<40 {
		return s3err.EntityTooLarge
	}
	o := rc.s.objects.NewVersion(rc.bucket, rc.key, objects.Attrs{Headers: u.Headers, Metadata: u.Metadata, Tags: u.Tags, ACL: u.ACL, StorageClass: u.StorageClass}, u.Encryption)
	o.Size, o.ETag, o.Segments = size, hexString(md.Sum(nil))+"-"+itoa(len(segs)), segs
	if fullObject {
		alg := u.ChecksumAlgorithm
		v, ok := fullObjectChecksum(alg, crcParts)
		if !ok {
			return s3err.InvalidPart.WithMessage("A part's " + alg + " checksum is malformed.").With(s3err.Field{Name: "UploadId", Value: u.ID})
		}
		// A full-object value the client sends must be the combined CRC,
		// be of the upload's algorithm and come with x-amz-checksum-type.
		decl := rc.checksumHeaders()
		for _, a := range checksumAlgorithms {
			if given := decl.Get(checksumHeader(a)); given != "" && (a != alg || given != v || ctypeGiven == "") {
				return s3err.BadChecksum.WithMessage("The " + strings.ToLower(alg) + " you specified did not match the calculated checksum.")
			}
		}
		o.Checksums = map[string]string{alg: v}
		o.ChecksumType = "FULL_OBJECT"
	} else if u.ChecksumAlgorithm != "" {
		if v, ok := compositeChecksum(u.ChecksumAlgorithm, partSums); ok {
			o.Checksums = map[string]string{u.ChecksumAlgorithm: v}
			o.ChecksumType = "COMPOSITE"
		}
	}
	if o.Condition, err = rc.writeCondition(); err != nil {
		return err
	}
	err = rc.s.objects.CompleteUpload(rc.commitCtx(), u.ID, o)
	if errors.Is(err, meta.ErrNoSuchUpload) {
		return s3err.NoSuchUpload.With(s3err.Field{Name: "UploadId", Value: u.ID})
	}
	if err != nil {
		return err
	}
	setEncryptionHeaders(rc.w.Header(), o.Encryption, nil)
	rc.setWrittenVersionHeader(o.VersionID)
	res := completeMultipartUploadResult{NS: s3NS, Location: "/" + rc.bucket + "/" + rc.key, Bucket: rc.bucket, Key: rc.key, ETag: quote(o.ETag), ChecksumType: o.ChecksumType}
	setResultChecksums(o.Checksums, &res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256)
	return rc.writeXML(200, res)
}

// completedAlready answers a CompleteMultipartUpload whose upload no longer
// exists. When the key's current version is the object that this part list
// makes (its ETag is the MD5 of the listed parts' MD5s, "-N"), the upload
// was completed with these parts and the result is sent again; otherwise
// notFound (NoSuchUpload) stands. SDKs retry a Complete whose response was
// lost and rely on this.
func (rc *reqCtx) completedAlready(req completeMultipartUpload, notFound error) error {
	md := md5.New()
	for _, rp := range req.Parts {
		b, err := hex.DecodeString(strings.Trim(rp.ETag, "\""))
		if err != nil || len(b) != md5.Size {
			return notFound
		}
		md.Write(b)
	}
	etag := hexString(md.Sum(nil)) + "-" + itoa(len(req.Parts))
	o, err := rc.s.cfg.Meta.GetObject(rc.r.Context(), rc.bucket, rc.key, "")
	if err != nil || o.ETag != etag {
		return notFound
	}
	rc.setWrittenVersionHeader(o.VersionID)
	res := completeMultipartUploadResult{NS: s3NS, Location: "/" + rc.bucket + "/" + rc.key, Bucket: rc.bucket, Key: rc.key, ETag: quote(o.ETag), ChecksumType: o.ChecksumType}
	setResultChecksums(o.Checksums, &res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256)
	return rc.writeXML(200, res)
}

func (rc *reqCtx) abortMultipartUpload() error {
	if err := rc.s.objects.AbortUpload(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("uploadId")); err != nil {
		if errors.Is(err, meta.ErrNoSuchUpload) {
			return s3err.NoSuchUpload.With(s3err.Field{Name: "UploadId", Value: rc.query.Get("uploadId")})
		}
		return err
	}
	return rc.noContent()
}

type listPartsResult struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	NS                   string   `xml:"xmlns,attr"`
	Bucket               string   `xml:"Bucket"`
	Key                  string   `xml:"Key"`
	UploadID             string   `xml:"UploadId"`
	PartNumberMarker     int      `xml:"PartNumberMarker"`
	NextPartNumberMarker int      `xml:"NextPartNumberMarker,omitempty"`
	MaxParts             int      `xml:"MaxParts"`
	IsTruncated          bool     `xml:"IsTruncated"`
	ChecksumAlgorithm    string   `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string   `xml:"ChecksumType,omitempty"`
	Initiator            owner    `xml:"Initiator"`
	Owner                owner    `xml:"Owner"`
	StorageClass         string   `xml:"StorageClass"`
	Parts                []struct {
		PartNumber        int    `xml:"PartNumber"`
		LastModified      string `xml:"LastModified"`
		ETag              string `xml:"ETag"`
		Size              int64  `xml:"Size"`
		ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
		ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
		ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
		ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
		ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	} `xml:"Part"`
}

func (rc *reqCtx) listParts() error {
	u, err := rc.upload()
	if err != nil {
		return err
	}
	maxParts, err := rc.maxKeys("max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := rc.query.Get("part-number-marker"); v != "" {
		marker, err = strconv.Atoi(v)
		if err != nil || marker < 0 {
			return s3err.InvalidArgument.WithMessage("Provided part-number-marker not an integer or within integer range")
		}
	}
	parts, truncated, err := rc.s.cfg.Meta.ListParts(rc.r.Context(), u.ID, marker, maxParts)
	if err != nil {
		return err
	}
	res := listPartsResult{NS: s3NS, Bucket: rc.bucket, Key: rc.key, UploadID: u.ID, PartNumberMarker: marker, MaxParts: maxParts,
		IsTruncated: truncated, ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
		Initiator: initiatorOf(u, rc.bkt.Account), Owner: ownerOf(initiatingAccount(u, rc.bkt.Account)), StorageClass: u.StorageClass}
	for _, p := range parts {
		e := struct {
			PartNumber        int    `xml:"PartNumber"`
			LastModified      string `xml:"LastModified"`
			ETag              string `xml:"ETag"`
			Size              int64  `xml:"Size"`
			ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
			ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
			ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
			ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
			ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
		}{PartNumber: p.Number, LastModified: iso8601(p.LastModified), ETag: quote(p.ETag), Size: p.Size}
		setResultChecksums(p.Checksums, &e.ChecksumCRC32, &e.ChecksumCRC32C, &e.ChecksumCRC64NVME, &e.ChecksumSHA1, &e.ChecksumSHA256)
		res.Parts = append(res.Parts, e)
		res.NextPartNumberMarker = p.Number
	}
	return rc.writeXML(200, res)
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	NS                 string   `xml:"xmlns,attr"`
	Bucket             string   `xml:"Bucket"`
	KeyMarker          string   `xml:"KeyMarker"`
	UploadIDMarker     string   `xml:"UploadIdMarker"`
	NextKeyMarker      string   `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string   `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string   `xml:"Prefix"`
	Delimiter          string   `xml:"Delimiter,omitempty"`
	MaxUploads         int      `xml:"MaxUploads"`
	EncodingType       string   `xml:"EncodingType,omitempty"`
	IsTruncated        bool     `xml:"IsTruncated"`
	Uploads            []struct {
		Key               string `xml:"Key"`
		UploadID          string `xml:"UploadId"`
		Initiator         owner  `xml:"Initiator"`
		Owner             owner  `xml:"Owner"`
		StorageClass      string `xml:"StorageClass"`
		Initiated         string `xml:"Initiated"`
		ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
		ChecksumType      string `xml:"ChecksumType,omitempty"`
	} `xml:"Upload"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

func (rc *reqCtx) listMultipartUploads() error {
	q := rc.query
	n, err := rc.maxKeys("max-uploads")
	if err != nil {
		return err
	}
	enc, et, err := rc.encoder()
	if err != nil {
		return err
	}
	res, err := rc.s.cfg.Meta.ListUploads(rc.r.Context(), rc.bucket, meta.UploadListOptions{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), KeyMarker: q.Get("key-marker"),
		UploadIDMarker: q.Get("upload-id-marker"), MaxUploads: n})
	if err != nil {
		return err
	}
	out := listMultipartUploadsResult{NS: s3NS, Bucket: rc.bucket, KeyMarker: enc(q.Get("key-marker")), UploadIDMarker: q.Get("upload-id-marker"),
		NextKeyMarker: enc(res.NextKeyMarker), NextUploadIDMarker: res.NextUploadIDMarker, Prefix: enc(q.Get("prefix")),
		Delimiter: enc(q.Get("delimiter")), MaxUploads: n, EncodingType: et, IsTruncated: res.IsTruncated}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, struct {
			Key               string `xml:"Key"`
			UploadID          string `xml:"UploadId"`
			Initiator         owner  `xml:"Initiator"`
			Owner             owner  `xml:"Owner"`
			StorageClass      string `xml:"StorageClass"`
			Initiated         string `xml:"Initiated"`
			ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
			ChecksumType      string `xml:"ChecksumType,omitempty"`
		}{enc(u.Key), u.ID, initiatorOf(u, rc.bkt.Account), ownerOf(initiatingAccount(u, rc.bkt.Account)), storageClassOrDefault(u.StorageClass), iso8601(u.Initiated), u.ChecksumAlgorithm, u.ChecksumType})
	}
	out.CommonPrefixes = prefixes(res.CommonPrefixes, enc)
	return rc.writeXML(200, out)
}

// initiatorOf is the Initiator element of an upload, as S3 writes it: for
// an account's root its canonical ID (here the account ID), for an IAM user
// or a role session its ARN. An upload stored before initiators were
// recorded shows the bucket owner, as before.
func initiatorOf(u meta.Upload, bucketOwner string) owner {
	switch {
	case u.Initiator == "":
		return ownerOf(bucketOwner)
	case strings.HasSuffix(u.Initiator, ":root"):
		return ownerOf(initiatingAccount(u, bucketOwner))
	}
	name := u.Initiator[strings.LastIndexByte(u.Initiator, '/')+1:]
	return owner{ID: u.Initiator, DisplayName: name}
}

// initiatingAccount is the account of the principal that initiated u, the
// Owner S3 shows for an upload (for an IAM user or a role session, its
// parent account): the account field of the initiator's ARN
// (arn:aws:iam::111122223333:user/x, arn:aws:sts::111122223333:assumed-role/r/s).
// An upload stored before initiators were recorded, or initiated
// anonymously, shows the bucket owner.
func initiatingAccount(u meta.Upload, bucketOwner string) string {
	f := strings.SplitN(u.Initiator, ":", 6)
	if len(f) < 6 || f[0] != "arn" || f[4] == "" {
		return bucketOwner
	}
	return f[4]
}

func storageClassOrDefault(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}
