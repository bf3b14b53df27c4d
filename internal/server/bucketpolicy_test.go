package server

import "testing"

func TestBucketPolicyResourceCanNameTheBucket(t *testing.T) {
	for _, tc := range []struct {
		resource string
		ok       bool
	}{
		{"arn:aws:s3:::photos", true},
		{"arn:aws:s3:::photos/*", true},
		{"arn:aws:s3:::photos/cats/tom.jpg", true},
		{"arn:aws:s3:::*", true},
		{"arn:aws:s3:::*/*", true},
		{"arn:aws:s3:::ph*", true},
		{"arn:aws:s3:::ph?tos", true},
		{"arn:aws:s3:::photos*", true},
		{"arn:aws:s3:::*/2026/*", true},
		{"arn:aws:s3:::${aws:username}/*", true},
		{"arn:aws:s3:::photo", false},
		{"arn:aws:s3:::photos-archive", false},
		{"arn:aws:s3:::photos-archive/*", false},
		{"arn:aws:s3:::other/*", false},
		{"arn:aws:s3:::ph?to", false},
		{"arn:aws:iam::111122223333:root", false},
	} {
		doc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + tc.resource + `"}]}`)
		err := checkBucketPolicy("photos", doc)
		if (err == nil) != tc.ok {
			t.Errorf("resource %s on bucket photos: err %v, want ok=%v", tc.resource, err, tc.ok)
		}
	}
}
