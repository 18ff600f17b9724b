from django.contrib.auth import logout
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Photo
from accounts.throttling import auth_attempt
from accounts.serializers import (
    AuthTokenSerializer, LoginSerializer, PhotoSerializer, PhotoUploadSerializer, RegisterSerializer,
    UserSerializer,
)
from core.schema import path_id


PHOTO_ID = path_id("id", "One of your photos (`id` from GET /api/v1/photos).")
TOKEN = OpenApiResponse(AuthTokenSerializer, "The token to send as `Authorization: Token <key>`, and the user.")


TOKEN_LIFETIME = (
    "The token stays valid until you log out or the password changes: a password reset, a change by an "
    "administrator or any other new password deletes every token of the account (and signs out its "
    "sessions); sign in again for a new one. Sign-in attempts are throttled per address and per username: 429 with "
    "Retry-After."
)


def _token_response(user, *, status_code: int) -> Response:
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"token": token.key, "user": UserSerializer(user).data}, status=status_code)


class RegisterApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Sign up", request=RegisterSerializer, responses={201: TOKEN}, auth=[],
                   description="Creates a shopper account and signs it in. Usernames are unique regardless of case, width and "
                               "look-alike letters. Sign-ups are throttled per address (429 with Retry-After). "
                               + TOKEN_LIFETIME,
                   examples=[OpenApiExample("Sign up", request_only=True, value={
                       "username": "ada", "email": "ada@example.com", "password": "a-long-secret-2026",
                       "password_confirm": "a-long-secret-2026"})])
    def post(self, request):
        auth_attempt(action="register", request=request)
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(username=data.validated_data["username"],
                                      email=data.validated_data.get("email", ""),
                                      password=data.validated_data["password"])
        return _token_response(user, status_code=status.HTTP_201_CREATED)


class LoginApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Sign in", request=LoginSerializer, responses={200: TOKEN}, auth=[],
                   description="Answers the shopper's token (the same one until sign-out). " + TOKEN_LIFETIME,
                   examples=[OpenApiExample("Sign in", request_only=True,
                                            value={"username": "ada", "password": "a-long-secret-2026"})])
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **data.validated_data)
        return _token_response(user, status_code=status.HTTP_200_OK)


class LogoutApi(APIView):
    @extend_schema(summary="Sign out", request=None, responses={204: None},
                   description="Deletes the token (every client using it is signed out) and ends the session.")
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(summary="Who am I", description="The signed-in shopper."))
class MeApi(generics.RetrieveAPIView):
    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user


@extend_schema_view(get=extend_schema(summary="List your photos", description="Newest first."))
class PhotoListApi(generics.ListAPIView):
    serializer_class = PhotoSerializer
    queryset = Photo.objects.none()  # for the schema; requests use get_queryset
    parser_classes = [MultiPartParser]  # an upload: a file cannot travel form-encoded or in JSON

    def get_queryset(self):
        return selectors.photo_list(user=self.request.user)

    @extend_schema(summary="Upload a photo", request=PhotoUploadSerializer,
                   responses={201: OpenApiResponse(PhotoSerializer, "The stored photo; `tryon_problems` says "
                                                                    "which body regions it cannot serve.")},
                   description="A full-body photo: JPEG, PNG or WEBP, at most 10 MB and 25 megapixels. It is "
                               "re-encoded as JPEG without metadata. A usable photo (`usable`) becomes your "
                               "primary one when you have none, or only an unusable one; an unusable photo never "
                               "does.")
    def post(self, request):
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.photo_upload(user=request.user, upload=data.validated_data["image"])
        return Response(PhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a photo", description="One of your photos.", parameters=[PHOTO_ID]),
    delete=extend_schema(summary="Delete a photo", parameters=[PHOTO_ID],
                         description="Deletes the photo and its file; a deleted primary photo passes the role "
                                     "to your newest usable photo."))
class PhotoDetailApi(generics.RetrieveDestroyAPIView):
    serializer_class = PhotoSerializer
    queryset = Photo.objects.none()  # for the schema

    def get_object(self):
        return selectors.photo_get(user=self.request.user, photo_id=self.kwargs["pk"])

    def perform_destroy(self, photo):
        services.photo_delete(user=self.request.user, photo=photo)


class PhotoPrimaryApi(APIView):
    @extend_schema(summary="Make a photo your primary one", request=None, parameters=[PHOTO_ID],
                   description="The primary photo is the one pages and the studio start from. A photo no "
                               "try-on can use (`usable` false) cannot be primary: 400 naming `photo_id`.",
                   responses={200: OpenApiResponse(PhotoSerializer, "The photo, now primary.")})
    def post(self, request, pk: int):
        photo = selectors.photo_get(user=request.user, photo_id=pk)
        services.photo_set_primary(user=request.user, photo=photo)
        return Response(PhotoSerializer(photo, context={"request": request}).data)


class PhotoFileApi(APIView):
    """The image bytes, to the owner only; user media is never served as public files."""

    @extend_schema(summary="Download a photo", parameters=[PHOTO_ID],
                   description="The stored JPEG, to its owner only.",
                   responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, "The JPEG image.")})
    def get(self, request, pk: int):
        photo = selectors.photo_get(user=request.user, photo_id=pk)
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response
