package server

import (
	"github.com/outpost-s3/outpost/internal/bucketconfig"
	"github.com/outpost-s3/outpost/internal/s3xml"
)

// The S3 Control lifecycle operations: the S3 ones (bucketconfig) in the
// S3 Control form of the document (s3xml).

func (c *ctlReq) putLifecycle() error {
	lc := s3xml.LifecycleConfiguration{Form: s3xml.Control}
	if err := c.readXML(&lc); err != nil {
		return err
	}
	if err := bucketconfig.PutLifecycle(c.r.Context(), c.s.cfg.Meta, c.b.Name, lc); err != nil {
		return err
	}
	return c.ok()
}

func (c *ctlReq) getLifecycle() error {
	lc, err := bucketconfig.Lifecycle(c.r.Context(), c.s.cfg.Meta, c.b.Name)
	if err != nil {
		return err
	}
	lc.Form = s3xml.Control
	return c.writeXML(200, lc)
}

func (c *ctlReq) deleteLifecycle() error {
	if err := bucketconfig.DeleteLifecycle(c.r.Context(), c.s.cfg.Meta, c.b.Name); err != nil {
		return err
	}
	return c.noContent()
}
