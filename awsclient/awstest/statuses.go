package awstest

import "net/http"

// modelStatuses are the HTTP statuses of each service's modeled errors,
// from the AWS service models (botocore's service-2.json; TestStatusesMatch
// checks them against the models when botocore is installed). A modeled
// error without a status is a client error (400), or a server error (500)
// when the model marks it as a fault. EC2's model declares no errors: its
// statuses are those of the EC2 API Reference's error codes.
var modelStatuses = map[string]map[string]int{
	svcIAM: {
		"AccountNotManagementOrDelegatedAdministratorException": 400,
		"CallerIsNotManagementAccountException":                 400,
		"ConcurrentModification":                                409,
		"DeleteConflict":                                        409,
		"DuplicateCertificate":                                  409,
		"DuplicateSSHPublicKey":                                 400,
		"EntityAlreadyExists":                                   409,
		"EntityTemporarilyUnmodifiable":                         409,
		"FeatureDisabled":                                       404,
		"FeatureEnabled":                                        409,
		"InvalidAuthenticationCode":                             403,
		"InvalidCertificate":                                    400,
		"InvalidInput":                                          400,
		"InvalidPublicKey":                                      400,
		"InvalidUserType":                                       400,
		"KeyPairMismatch":                                       400,
		"LimitExceeded":                                         409,
		"MalformedCertificate":                                  400,
		"MalformedPolicyDocument":                               400,
		"NoSuchEntity":                                          404,
		"NotSupportedService":                                   404,
		"OpenIdIdpCommunicationError":                           400,
		"OrganizationNotFoundException":                         400,
		"OrganizationNotInAllFeaturesModeException":             400,
		"PasswordPolicyViolation":                               400,
		"PolicyEvaluation":                                      500,
		"PolicyNotAttachable":                                   400,
		"ReportExpired":                                         410,
		"ReportGenerationLimitExceeded":                         409,
		"ReportInProgress":                                      404,
		"ReportNotPresent":                                      410,
		"ServiceAccessNotEnabledException":                      400,
		"ServiceFailure":                                        500,
		"UnmodifiableEntity":                                    400,
		"UnrecognizedPublicKeyEncoding":                         400,
	},
	svcOrganizations: {
		"AWSOrganizationsNotInUseException":                400,
		"AccessDeniedException":                            400,
		"AccessDeniedForDependencyException":               400,
		"AccountAlreadyClosedException":                    400,
		"AccountAlreadyRegisteredException":                400,
		"AccountNotFoundException":                         400,
		"AccountNotRegisteredException":                    400,
		"AccountOwnerNotVerifiedException":                 400,
		"AlreadyInOrganizationException":                   400,
		"ChildNotFoundException":                           400,
		"ConcurrentModificationException":                  400,
		"ConflictException":                                400,
		"ConstraintViolationException":                     400,
		"CreateAccountStatusNotFoundException":             400,
		"DestinationParentNotFoundException":               400,
		"DuplicateAccountException":                        400,
		"DuplicateHandshakeException":                      400,
		"DuplicateOrganizationalUnitException":             400,
		"DuplicatePolicyAttachmentException":               400,
		"DuplicatePolicyException":                         400,
		"EffectivePolicyNotFoundException":                 400,
		"FinalizingOrganizationException":                  400,
		"HandshakeAlreadyInStateException":                 400,
		"HandshakeConstraintViolationException":            400,
		"HandshakeNotFoundException":                       400,
		"InvalidHandshakeTransitionException":              400,
		"InvalidInputException":                            400,
		"InvalidResponsibilityTransferTransitionException": 400,
		"MalformedPolicyDocumentException":                 400,
		"MasterCannotLeaveOrganizationException":           400,
		"OrganizationNotEmptyException":                    400,
		"OrganizationalUnitNotEmptyException":              400,
		"OrganizationalUnitNotFoundException":              400,
		"ParentNotFoundException":                          400,
		"PolicyChangesInProgressException":                 400,
		"PolicyInUseException":                             400,
		"PolicyNotAttachedException":                       400,
		"PolicyNotFoundException":                          400,
		"PolicyTypeAlreadyEnabledException":                400,
		"PolicyTypeNotAvailableForOrganizationException":   400,
		"PolicyTypeNotEnabledException":                    400,
		"ResourcePolicyNotFoundException":                  400,
		"ResponsibilityTransferAlreadyInStatusException":   400,
		"ResponsibilityTransferNotFoundException":          400,
		"RootNotFoundException":                            400,
		"ServiceException":                                 500,
		"SourceParentNotFoundException":                    400,
		"TargetNotFoundException":                          400,
		"TooManyRequestsException":                         400,
		"UnsupportedAPIEndpointException":                  400,
	},
	svcSTS: {
		"ExpiredTokenException":                          400,
		"ExpiredTradeInTokenException":                   400,
		"IDPCommunicationError":                          400,
		"IDPRejectedClaim":                               403,
		"InvalidAuthorizationMessageException":           400,
		"InvalidIdentityToken":                           400,
		"JWTPayloadSizeExceededException":                400,
		"MalformedPolicyDocument":                        400,
		"OutboundWebIdentityFederationDisabledException": 403,
		"PackedPolicyTooLarge":                           400,
		"RegionDisabledException":                        403,
		"SessionDurationEscalationException":             403,
	},
	svcEC2: {
		"AuthFailure":           http.StatusUnauthorized,
		"UnauthorizedOperation": http.StatusForbidden,
		"DryRunOperation":       http.StatusPreconditionFailed,
		"InternalError":         http.StatusInternalServerError,
		"RequestLimitExceeded":  http.StatusServiceUnavailable,
		"ServiceUnavailable":    http.StatusServiceUnavailable,
		"Unavailable":           http.StatusServiceUnavailable,
	},
}

// commonStatuses are the statuses of the errors every AWS service may
// answer (the "Common Errors" of the API references), used when the
// service's model does not declare the code.
var commonStatuses = map[string]int{
	"AccessDeniedException":       http.StatusBadRequest,
	"AccessDenied":                http.StatusForbidden,
	"ExpiredTokenException":       http.StatusBadRequest,
	"IncompleteSignature":         http.StatusBadRequest,
	"InternalFailure":             http.StatusInternalServerError,
	"InvalidAction":               http.StatusBadRequest,
	"InvalidClientTokenId":        http.StatusForbidden,
	"NotAuthorized":               http.StatusBadRequest,
	"OptInRequired":               http.StatusForbidden,
	"RequestExpired":              http.StatusBadRequest,
	"ServiceUnavailable":          http.StatusServiceUnavailable,
	"ThrottlingException":         http.StatusBadRequest,
	"Throttling":                  http.StatusBadRequest,
	"ValidationError":             http.StatusBadRequest,
	"InternalServerError":         http.StatusInternalServerError,
	"ServiceUnavailableException": http.StatusServiceUnavailable,
}

// defaultStatus is the HTTP status service answers code with: the model's,
// else the common errors', else 400.
func defaultStatus(service, code string) int {
	if s, ok := modelStatuses[service][code]; ok {
		return s
	}
	if s, ok := commonStatuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}
