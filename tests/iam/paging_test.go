package iam_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestListsArePaged: IAM List* actions honour MaxItems and Marker, so the
// SDK paginators and the CLI's automatic paging walk long lists.
func TestListsArePaged(t *testing.T) {
	srv, _ := start(t)
	c := iamClient(srv, rootCreds)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("pager-%d", i)
		want = append(want, name)
		ok(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t, "CreateUser")
		ok(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pager-0"), PolicyName: aws.String(fmt.Sprint("p", i)), PolicyDocument: aws.String(readOnlyPolicy)}))(t, "PutUserPolicy")
	}
	// The SDK paginator, 3 at a time.
	var got []string
	pages := 0
	for p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(3)}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t, "ListUsers page")
		pages++
		if len(out.Users) > 3 || (out.IsTruncated != (out.Marker != nil)) {
			t.Fatalf("page %d: %d users, IsTruncated %v, Marker %v", pages, len(out.Users), out.IsTruncated, out.Marker)
		}
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.UserName))
		}
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("ListUsers in %d pages: %v, want %v in 3", pages, got, want)
	}

	// A user deleted between pages does not derail the next page.
	first := ok(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2)}))(t, "ListUsers")
	ok(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pager-1")}))(t, "DeleteUser")
	next := ok(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: first.Marker}))(t, "ListUsers after a delete")
	if len(next.Users) != 2 || aws.ToString(next.Users[0].UserName) != "pager-2" {
		t.Fatalf("page after deleting the marker's user: %+v", next.Users)
	}

	// Inline policy names, through the paginator.
	var names []string
	for p := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: aws.String("pager-0"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		names = append(names, ok(p.NextPage(ctx))(t, "ListUserPolicies page").PolicyNames...)
	}
	if len(names) != 7 {
		t.Fatalf("ListUserPolicies pages: %v", names)
	}

	// MaxItems out of range is IAM's ValidationError.
	for _, n := range []int32{0, 1001} {
		_, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(n)})
		wantCode(t, fmt.Sprint("MaxItems ", n), err, "ValidationError")
	}

	// The AWS CLI pages on its own: --page-size 2 still lists every user.
	var cli struct{ Users []struct{ UserName string } }
	must(t, "parse list-users", json.Unmarshal(awsCLI(t, srv, "iam", "list-users", "--page-size", "2"), &cli))
	if len(cli.Users) != 6 {
		t.Fatalf("aws iam list-users --page-size 2: %+v", cli.Users)
	}
}
