package codegen

import "github.com/rules-pyc/rules_pyc/compiler/native/opcode"

func op(name string) opcode.Op { return opcode.V313.MustLookup(name) }

// The 3.13 opcodes code generation emits (real and pseudo).
var (
	opNOP                       = op("NOP")
	opPOP_TOP                   = op("POP_TOP")
	opPUSH_NULL                 = op("PUSH_NULL")
	opRESUME                    = op("RESUME")
	opRETURN_VALUE              = op("RETURN_VALUE")
	opLOAD_CONST                = op("LOAD_CONST")
	opLOAD_NAME                 = op("LOAD_NAME")
	opSTORE_NAME                = op("STORE_NAME")
	opDELETE_NAME               = op("DELETE_NAME")
	opLOAD_GLOBAL               = op("LOAD_GLOBAL")
	opSTORE_GLOBAL              = op("STORE_GLOBAL")
	opDELETE_GLOBAL             = op("DELETE_GLOBAL")
	opLOAD_FAST                 = op("LOAD_FAST")
	opSTORE_FAST                = op("STORE_FAST")
	opDELETE_FAST               = op("DELETE_FAST")
	opLOAD_FAST_AND_CLEAR       = op("LOAD_FAST_AND_CLEAR")
	opLOAD_DEREF                = op("LOAD_DEREF")
	opSTORE_DEREF               = op("STORE_DEREF")
	opDELETE_DEREF              = op("DELETE_DEREF")
	opLOAD_FROM_DICT_OR_DEREF   = op("LOAD_FROM_DICT_OR_DEREF")
	opLOAD_FROM_DICT_OR_GLOBALS = op("LOAD_FROM_DICT_OR_GLOBALS")
	opLOAD_LOCALS               = op("LOAD_LOCALS")
	opMAKE_CELL                 = op("MAKE_CELL")
	opLOAD_ATTR                 = op("LOAD_ATTR")
	opSTORE_ATTR                = op("STORE_ATTR")
	opDELETE_ATTR               = op("DELETE_ATTR")
	opLOAD_SUPER_ATTR           = op("LOAD_SUPER_ATTR")
	opBINARY_SUBSCR             = op("BINARY_SUBSCR")
	opSTORE_SUBSCR              = op("STORE_SUBSCR")
	opDELETE_SUBSCR             = op("DELETE_SUBSCR")
	opBINARY_SLICE              = op("BINARY_SLICE")
	opSTORE_SLICE               = op("STORE_SLICE")
	opBUILD_SLICE               = op("BUILD_SLICE")
	opBINARY_OP                 = op("BINARY_OP")
	opUNARY_NEGATIVE            = op("UNARY_NEGATIVE")
	opUNARY_NOT                 = op("UNARY_NOT")
	opUNARY_INVERT              = op("UNARY_INVERT")
	opCOMPARE_OP                = op("COMPARE_OP")
	opIS_OP                     = op("IS_OP")
	opCONTAINS_OP               = op("CONTAINS_OP")
	opTO_BOOL                   = op("TO_BOOL")
	opCOPY                      = op("COPY")
	opSWAP                      = op("SWAP")
	opBUILD_TUPLE               = op("BUILD_TUPLE")
	opBUILD_LIST                = op("BUILD_LIST")
	opBUILD_SET                 = op("BUILD_SET")
	opBUILD_MAP                 = op("BUILD_MAP")
	opBUILD_CONST_KEY_MAP       = op("BUILD_CONST_KEY_MAP")
	opBUILD_STRING              = op("BUILD_STRING")
	opLIST_APPEND               = op("LIST_APPEND")
	opSET_ADD                   = op("SET_ADD")
	opMAP_ADD                   = op("MAP_ADD")
	opLIST_EXTEND               = op("LIST_EXTEND")
	opSET_UPDATE                = op("SET_UPDATE")
	opDICT_UPDATE               = op("DICT_UPDATE")
	opDICT_MERGE                = op("DICT_MERGE")
	opCALL_INTRINSIC_1          = op("CALL_INTRINSIC_1")
	opCALL_INTRINSIC_2          = op("CALL_INTRINSIC_2")
	opUNPACK_SEQUENCE           = op("UNPACK_SEQUENCE")
	opUNPACK_EX                 = op("UNPACK_EX")
	opCALL                      = op("CALL")
	opCALL_KW                   = op("CALL_KW")
	opCALL_FUNCTION_EX          = op("CALL_FUNCTION_EX")
	opMAKE_FUNCTION             = op("MAKE_FUNCTION")
	opSET_FUNCTION_ATTRIBUTE    = op("SET_FUNCTION_ATTRIBUTE")
	opLOAD_BUILD_CLASS          = op("LOAD_BUILD_CLASS")
	opSETUP_ANNOTATIONS         = op("SETUP_ANNOTATIONS")
	opIMPORT_NAME               = op("IMPORT_NAME")
	opIMPORT_FROM               = op("IMPORT_FROM")
	opGET_ITER                  = op("GET_ITER")
	opGET_AITER                 = op("GET_AITER")
	opGET_ANEXT                 = op("GET_ANEXT")
	opGET_AWAITABLE             = op("GET_AWAITABLE")
	opGET_YIELD_FROM_ITER       = op("GET_YIELD_FROM_ITER")
	opFOR_ITER                  = op("FOR_ITER")
	opEND_FOR                   = op("END_FOR")
	opEND_ASYNC_FOR             = op("END_ASYNC_FOR")
	opSEND                      = op("SEND")
	opEND_SEND                  = op("END_SEND")
	opYIELD_VALUE               = op("YIELD_VALUE")
	opCLEANUP_THROW             = op("CLEANUP_THROW")
	opRAISE_VARARGS             = op("RAISE_VARARGS")
	opRERAISE                   = op("RERAISE")
	opPUSH_EXC_INFO             = op("PUSH_EXC_INFO")
	opPOP_EXCEPT                = op("POP_EXCEPT")
	opCHECK_EXC_MATCH           = op("CHECK_EXC_MATCH")
	opCHECK_EG_MATCH            = op("CHECK_EG_MATCH")
	opWITH_EXCEPT_START         = op("WITH_EXCEPT_START")
	opBEFORE_WITH               = op("BEFORE_WITH")
	opBEFORE_ASYNC_WITH         = op("BEFORE_ASYNC_WITH")
	opLOAD_ASSERTION_ERROR      = op("LOAD_ASSERTION_ERROR")
	opFORMAT_SIMPLE             = op("FORMAT_SIMPLE")
	opFORMAT_WITH_SPEC          = op("FORMAT_WITH_SPEC")
	opCONVERT_VALUE             = op("CONVERT_VALUE")
	opPOP_JUMP_IF_FALSE         = op("POP_JUMP_IF_FALSE")
	opPOP_JUMP_IF_TRUE          = op("POP_JUMP_IF_TRUE")
	opPOP_JUMP_IF_NONE          = op("POP_JUMP_IF_NONE")
	opPOP_JUMP_IF_NOT_NONE      = op("POP_JUMP_IF_NOT_NONE")
	opMATCH_CLASS               = op("MATCH_CLASS")
	opMATCH_KEYS                = op("MATCH_KEYS")
	opMATCH_MAPPING             = op("MATCH_MAPPING")
	opMATCH_SEQUENCE            = op("MATCH_SEQUENCE")
	opGET_LEN                   = op("GET_LEN")

	pJUMP                   = op("JUMP")
	pJUMP_NO_INTERRUPT      = op("JUMP_NO_INTERRUPT")
	pSETUP_FINALLY          = op("SETUP_FINALLY")
	pSETUP_CLEANUP          = op("SETUP_CLEANUP")
	pSETUP_WITH             = op("SETUP_WITH")
	pPOP_BLOCK              = op("POP_BLOCK")
	pLOAD_CLOSURE           = op("LOAD_CLOSURE")
	pSTORE_FAST_MAYBE_NULL  = op("STORE_FAST_MAYBE_NULL")
	pLOAD_METHOD            = op("LOAD_METHOD")
	pLOAD_SUPER_METHOD      = op("LOAD_SUPER_METHOD")
	pLOAD_ZERO_SUPER_ATTR   = op("LOAD_ZERO_SUPER_ATTR")
	pLOAD_ZERO_SUPER_METHOD = op("LOAD_ZERO_SUPER_METHOD")
)

// Intrinsics (pycore_intrinsics.h).
const (
	intrinsicPrint              = 1
	intrinsicImportStar         = 2
	intrinsicStopIterationError = 3
	intrinsicAsyncGenWrap       = 4
	intrinsicUnaryPositive      = 5
	intrinsicListToTuple        = 6
	intrinsicTypeVar            = 7
	intrinsicParamSpec          = 8
	intrinsicTypeVarTuple       = 9
	intrinsicSubscriptGeneric   = 10
	intrinsicTypeAlias          = 11

	intrinsic2PrepReraiseStar        = 1
	intrinsic2TypeVarWithBound       = 2
	intrinsic2TypeVarWithConstraints = 3
	intrinsic2SetFunctionTypeParams  = 4
	intrinsic2SetTypeparamDefault    = 5
)

// MAKE_FUNCTION attribute flags.
const (
	mfDefaults    = 0x01
	mfKwDefaults  = 0x02
	mfAnnotations = 0x04
	mfClosure     = 0x08
)

// RESUME opargs.
const (
	resumeAtFuncStart    = 0
	resumeAfterYield     = 1
	resumeAfterYieldFrom = 2
	resumeAfterAwait     = 3
)
