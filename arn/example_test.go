package arn_test

import (
	"fmt"

	"github.com/outpost-s3/outpost/arn"
)

func Example() {
	r, err := arn.ParseOutposts("arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01ac5d28a6a232904:accesspoint:my-access-point")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Kind, r.OutpostID, r.AccessPoint)
	fmt.Println(r.ObjectARN("reports/2024.csv"))

	_, err = arn.ParseOutposts("arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my.ap")
	fmt.Println(err)

	a, _ := arn.ParseAlias("my-access-po-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3")
	fmt.Println(string(a.HWType), a.FullOutpostID(), a.RegionPrefix)
	// Output:
	// accesspoint op-01ac5d28a6a232904 my-access-point
	// arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-access-point/object/reports/2024.csv
	// Invalid ARN: The access point name may only contain a-z, A-Z, 0-9 and `-`. Found: `my.ap`
	// o op-01ac5d28a6a232904 use1
}
